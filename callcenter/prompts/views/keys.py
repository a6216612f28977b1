"""Typed application keys of the prompts pages."""

from __future__ import annotations

from aiohttp import web

from callcenter.prompts.service import PromptService

SERVICE = web.AppKey("prompt_service", PromptService)
