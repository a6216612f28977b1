"""Typed application keys of the ticket pages."""

from __future__ import annotations

from aiohttp import web

from callcenter.tickets.service import TicketService

SERVICE = web.AppKey("ticket_service", TicketService)
