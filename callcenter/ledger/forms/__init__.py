"""The 台账's export forms, one per organisation profile (``ledger_form``): 义马's 附件2,
信阳's 附表1, 许昌's 问卷统计, 烟台's 好差评清单. Every form is built from the calls of the
one read model (``CallRecord``), never from rows of its own."""
