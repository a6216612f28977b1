"""Typed application keys of the 台账 pages: the read model the search, the call pages
and the export all read from."""

from __future__ import annotations

from aiohttp import web

from callcenter.ledger.store import LedgerReader

READER = web.AppKey("ledger_reader", LedgerReader)
