"""Human agents who take calls over: their SIP phones, the takeover desk, listening in.

``config`` (settings), ``credentials`` (the PJSIP digest), ``pjsip`` (agents pushed to
Asterisk over ARI), ``presence`` (registered / in a call, from Asterisk), ``desk`` (ring
the longest-idle ready agent and bridge), ``notifier`` (live updates for the screens),
``listen`` (a supervisor hears a takeover), ``admin`` (add / disable / list / sync).
"""
