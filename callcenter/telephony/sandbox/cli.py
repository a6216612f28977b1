"""``callcenter sandbox up|down|status``: the local Asterisk with simulated applicants."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import typer

from callcenter.telephony.prompts.cache import PromptCache
from callcenter.telephony.prompts.tts import best_installed, get_engine
from callcenter.telephony.sandbox.process import Sandbox, SandboxConfig
from callcenter.telephony.sandbox.servers import extra_up
from callcenter.telephony.sandbox.voices import EspeakVoice

app = typer.Typer(help="A real Asterisk 22 in a chroot, on loopback, with simulated applicants.")

# What the simulated applicant says when asked for reasons or suggestions.
SIM_SPEECH = "窗口的工作人员态度很好，就是排队的时间有点长，希望能多开几个窗口。"
# The same in Korean (t[speech_ko]), for the Vosk tests with the Korean model.
SIM_SPEECH_KO = "사람이 너무 많아요. 서류가 너무 많아요."


class SandboxWithPrompts(SandboxConfig, Protocol):
    """A sandbox's settings and where prompts are rendered (``Settings`` has both)."""

    @property
    def prompts_dir(self) -> Path: ...
    @property
    def tts_engine(self) -> str: ...


def sim_sounds(settings: SandboxWithPrompts) -> dict[str, Path]:
    # The applicants speak with the clearest voice installed, whatever the prompts use:
    # a recogniser is measured on speech like a person's, not on the crudest voice.
    cache = PromptCache(get_engine(best_installed()), settings.prompts_dir / "cache")
    korean = PromptCache(EspeakVoice("ko"), settings.prompts_dir / "cache")
    return {"speech": cache.render(SIM_SPEECH), "speech_ko": korean.render(SIM_SPEECH_KO)}


def up(settings: SandboxWithPrompts, servers: int = 1) -> str:
    """Start the sandbox; with ``servers`` > 1, further Asterisk instances beside it
    (their own state, ports and spool: the first is left as it is)."""
    sounds = sim_sounds(settings)
    described = [Sandbox(settings).up(sounds=sounds).describe()]
    described += [st.describe() for st in extra_up(settings, servers, sounds)]
    return "\n".join(described)


@app.command("up")
def up_cmd(
    ctx: typer.Context,
    servers: int = typer.Option(1, min=1, max=9, help="Asterisk instances, as servers of a set"),
) -> None:
    """Provision (once) and start the sandbox; wait until ARI answers."""
    typer.echo(up(ctx.obj.settings, servers))


@app.command()
def down(ctx: typer.Context) -> None:
    """Stop the sandbox Asterisk (and the further instances) and release its mounts."""
    for n in range(9, 1, -1):
        Sandbox(ctx.obj.settings, n).down()
    Sandbox(ctx.obj.settings).down()
    typer.echo("Asterisk sandbox stopped")


@app.command()
def status(ctx: typer.Context) -> None:
    """Say what runs where."""
    st = Sandbox(ctx.obj.settings).status()
    typer.echo(st.describe())
    raise typer.Exit(0 if st.ari_ok else 1)
