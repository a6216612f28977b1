"""Several Asterisk servers and their workers on one ledger: the servers resolved from
settings and the parts that share calls among them (``parts``), and the health view
of the whole set (``status``: ``callcenter status`` and the supervisors' page)."""
