"""Typed application keys of the report pages."""

from __future__ import annotations

from aiohttp import web

from callcenter.reports.config import ReportSettings
from callcenter.reports.drill import DrillDown
from callcenter.reports.service import ReportService

SERVICE = web.AppKey("report_service", ReportService)
DRILL = web.AppKey("report_drill", DrillDown)
SETTINGS = web.AppKey("report_settings", ReportSettings)
