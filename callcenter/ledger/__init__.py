"""Storage of cases, call attempts and answers, and the 电话回访登记台账 built from them.

Entry points: ``db.make_engine`` / ``db.migrate`` / ``db.session_factory`` to open the
database, ``repository.Ledger`` to read and write it, ``export.export_xlsx`` for the form.
"""
