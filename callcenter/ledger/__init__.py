"""The 电话回访登记台账 read back: one read model of a call and its row, and its pages,
export and command line.

Entry points: ``store.LedgerReader`` for calls and 台账 rows, ``taizhang`` for the rules
that word a row, ``export.export_xlsx`` for the form. Calls are written by
``callcenter.calls.store.Ledger``.
"""
