"""Typed application keys of the prompts pages."""

from __future__ import annotations

from aiohttp import web

from callcenter.prompts.recorder import PhoneRecorder
from callcenter.prompts.service import PromptService

SERVICE = web.AppKey("prompt_service", PromptService)
# set when the web process can place recording calls (see ``routes.setup``)
RECORDER = web.AppKey("prompt_recorder", PhoneRecorder)
