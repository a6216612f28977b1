"""Typed application keys of the 台账 pages: the read model the search, the call pages
and the export all read from."""

from __future__ import annotations

from aiohttp import web

from callcenter.ledger.forms.choose import Forms
from callcenter.ledger.store import LedgerReader

READER = web.AppKey("ledger_reader", LedgerReader)
# the organisation profiles' export forms; without it every export is 附件2
FORMS = web.AppKey("ledger_forms", Forms)
