"""``callcenter prompts …``: render the scripts' fixed prompts and say where each comes from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from callcenter.interview.script import Script, load_script
from callcenter.prompts.catalogue import catalogue
from callcenter.telephony.prompts.cache import APPROVED_DIR, SPLICED_DIR, PromptCache
from callcenter.telephony.prompts.tts import get_engine

app = typer.Typer(help="The prompts the scripts speak: rendered audio and where it comes from.")

RECORDED = "recorded"
PER_CALL = "per call"


def source(cache: PromptCache, path: Path) -> str:
    """Who speaks a rendered prompt: a person's recording (approved on the page, or a
    file named by its prompt id), the cache's TTS engine, or both (recorded names)."""
    if path.parent.name in (RECORDED, APPROVED_DIR):
        return RECORDED
    if path.parent.name == SPLICED_DIR:
        return f"{cache.engine.name} + {RECORDED}"
    return cache.engine.name


def scripts_in(folder: Path) -> list[Script]:
    return [load_script(p) for p in sorted(folder.glob("*.yaml"))]


@app.command()
def render(
    ctx: typer.Context,
    engine: Annotated[
        str | None, typer.Option(help="TTS engine to render with (default: tts_engine)")
    ] = None,
    scripts: Annotated[
        Path | None, typer.Option(help="folder of scripts (default: the configured script's)")
    ] = None,
) -> None:
    """Render every fixed prompt of every script; print its engine (or 'recorded')."""
    settings = ctx.obj.settings
    cache = ctx.obj.prompt_cache()
    if engine is not None:
        cache = PromptCache(get_engine(engine), cache.cache_dir, cache.recorded_dir)
    table = Table("script", "prompt", "source", "file", "text")
    for prompt in catalogue(scripts_in(scripts or settings.script.parent)):
        if prompt.text is None:
            # filled in and rendered for each case when its call is queued
            per_call = f"{cache.engine.name}, {PER_CALL}"
            table.add_row(prompt.script_id, prompt.prompt_id, per_call, "", prompt.template)
            continue
        path = cache.render(prompt.text, prompt.prompt_id)
        row = (prompt.script_id, prompt.prompt_id, source(cache, path), path.name, prompt.text)
        table.add_row(*row)
    Console(width=200).print(table)
