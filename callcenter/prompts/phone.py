"""Recording a prompt by phone: the call's flow, over a line that plays, records and
takes keys.

The supervisor's phone rings; they hear how it works, read the text shown on the page
after the beep and press #, hear their take played back, then press 1 to keep it or 2
to record again. A kept take is handed to ``keep`` (which files it as a new version,
like an upload); one that cannot be kept (silent) is recorded again. Pure: the ARI line
implements ``TakeLine`` for real calls, a scripted fake for the tests.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from callcenter.interview.port import CallerHungUp, Recording
from callcenter.kernel.errors import PromptError

INTRO = "您好，这里是语音提示录音。请在提示音后朗读网页上显示的文字，读完请按井号键。"
PLAYBACK = "您录制的是："
MENU = "保留这段录音请按1，重新录制请按2。"
AGAIN = "请在提示音后重新朗读，读完请按井号键。"
NOTHING = "没有录到声音。"
NOT_KEPT = "这段录音无法保存。"
INVALID = "输入有误。"
SAVED = "录音已保存，审核通过后生效。再见。"
GOODBYE = "本次录音未保存，再见。"
# everything the line may say besides the take itself, rendered before the call
TEXTS = (INTRO, PLAYBACK, MENU, AGAIN, NOTHING, NOT_KEPT, INVALID, SAVED, GOODBYE)

KEEP, RETRY = "1", "2"

# what the page shows of a call in progress
RINGING = "ringing"
LISTENING = "listening"  # hearing the instructions
RECORDING = "recording"
REVIEWING = "reviewing"  # hearing the take, choosing 1 or 2
SAVING = "saving"
SAVED_STATE = "saved"
ENDED = "ended"  # hung up or gave up without keeping a take
FAILED = "failed"


class TakeLine(Protocol):
    async def play(self, texts: list[str], barge_in: bool = True) -> None: ...
    async def play_take(self, take: Recording, then: list[str]) -> None:
        """Play the take back, then ``then``; a key pressed stops both."""

    async def get_key(self, timeout: float) -> str | None: ...
    async def record(
        self, step_id: str, max_seconds: int, max_silence: int
    ) -> Recording | None: ...
    def clear_keys(self) -> None: ...


@dataclass(frozen=True)
class TakeOptions:
    key_timeout: float = 8.0
    max_seconds: int = 60
    max_silence: int = 5
    max_takes: int = 5
    max_invalid: int = 3


@dataclass(frozen=True)
class Outcome:
    takes: int  # how many times the supervisor was recorded
    kept: int | None  # the version a kept take became


Keep = Callable[[Recording], Awaitable[int]]
OnState = Callable[[str, int], None]


async def record_by_phone(
    line: TakeLine, keep: Keep, options: TakeOptions, on_state: OnState | None = None
) -> Outcome:
    """Run the call until a take is kept, the supervisor gives up or hangs up."""
    state = on_state or (lambda _state, _take: None)
    takes = 0
    try:
        state(LISTENING, 0)
        await line.play([INTRO], barge_in=False)
        while takes < options.max_takes:
            line.clear_keys()  # a key pressed during the instructions is not a #
            takes += 1
            state(RECORDING, takes)
            take = await line.record(f"take{takes}", options.max_seconds, options.max_silence)
            line.clear_keys()  # the # that ended the take
            if take is None:
                await line.play([NOTHING, AGAIN], barge_in=False)
                continue
            state(REVIEWING, takes)
            choice = await _choose(line, take, options)
            if choice is None:
                break
            if choice == RETRY:
                await line.play([AGAIN], barge_in=False)
                continue
            state(SAVING, takes)
            try:
                version = await keep(take)
            except PromptError:
                await line.play([NOT_KEPT, AGAIN], barge_in=False)
                continue
            state(SAVED_STATE, takes)
            await line.play([SAVED], barge_in=False)
            return Outcome(takes, version)
        state(ENDED, takes)
        await line.play([GOODBYE], barge_in=False)
    except CallerHungUp:
        state(ENDED, takes)
    return Outcome(takes, None)


async def _choose(line: TakeLine, take: Recording, options: TakeOptions) -> str | None:
    """1 or 2 after hearing the take; None when no key comes twice or too many are wrong."""
    silent = invalid = 0
    heard_take = False
    while True:
        if not heard_take:
            await line.play_take(take, [MENU])
            heard_take = True
        else:
            await line.play([MENU])
        key = await line.get_key(options.key_timeout)
        if key in (KEEP, RETRY):
            return key
        if key is None:
            silent += 1
            if silent > 1:
                return None
            heard_take = False  # maybe they did not hear it: play it again
            continue
        invalid += 1
        if invalid >= options.max_invalid:
            return None
        line.clear_keys()
        await line.play([INVALID], barge_in=False)
