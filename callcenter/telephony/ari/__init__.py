"""Asterisk ARI adapter: a thin REST + events client and a per-call event router.

Import from the submodules (``callcenter.telephony.ari.client``, ``callcenter.telephony.ari.router``); the
package itself imports nothing so that the call flow can use the router and the event
types without pulling in aiohttp.
"""
