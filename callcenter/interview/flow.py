"""The interview: one coroutine per call, walking a script over a ``CallPort``.

Pure domain code: no aiohttp, no database. Answers are handed to ``on_answer`` as
soon as they are given, so a call cut short loses nothing already said.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from callcenter.interview.answers import Answer
from callcenter.interview.outcome import Outcome
from callcenter.interview.port import CallerHungUp, CallPort
from callcenter.interview.script import Digits, Question, Record, Say, Script, Step, parts
from callcenter.interview.takeover import PERSON_RULE_ID, HandoverRequest

log = logging.getLogger(__name__)

AnswerSink = Callable[[Answer], Awaitable[None]]

# keys read for one entry of a digits step at most, whatever its max_digits
MAX_TYPED = 64


@dataclass(frozen=True)
class FlowOptions:
    key_timeout: float = 8.0
    recording_max_seconds: int = 60
    recording_max_silence: int = 4


@dataclass
class InterviewResult:
    outcome: Outcome
    answers: list[Answer] = field(default_factory=list)
    note: str = ""


class _End(Exception):
    def __init__(self, outcome: Outcome, note: str = "") -> None:
        self.outcome = outcome
        self.note = note


class Interview:
    def __init__(
        self,
        script: Script,
        fields: dict[str, str],
        port: CallPort,
        on_answer: AnswerSink,
        options: FlowOptions = FlowOptions(),
    ) -> None:
        self.script = script
        self.fields = {**script.defaults, **fields}
        self.port = port
        self.on_answer = on_answer
        self.options = options
        self.key_timeout = script.key_timeout or options.key_timeout
        self.answers: list[Answer] = []
        self.reached_closing = False
        self.takeover = script.takeover
        # one handover per call: an applicant nobody could take is not rung through twice
        self.handover_tried = False
        self._handing_over = False
        self._handover_note = ""

    def text(self, template: str) -> str:
        return template.format(**self.fields)

    async def run(self) -> InterviewResult:
        try:
            await self._steps(self.script.steps)
            return self._result(Outcome.COMPLETE)
        except _End as end:
            return self._result(end.outcome, end.note)
        except CallerHungUp:
            if self.reached_closing:
                return self._result(Outcome.COMPLETE)
            if self._refused():
                return self._result(Outcome.REFUSED)
            if self._handing_over:
                return self._result(Outcome.PARTIAL, f"转人工等待中挂断，已答{self.answered()}题")
            return self._result(Outcome.PARTIAL, f"中途挂断，已答{self.answered()}题")

    def _result(self, outcome: Outcome, note: str = "") -> InterviewResult:
        note = "；".join(n for n in (note, self._handover_note) if n)
        log.info("interview ended: %s %s", outcome.value, note)
        return InterviewResult(outcome, list(self.answers), note)

    def answered(self) -> int:
        """Survey questions answered so far (consent is not one)."""
        return sum(1 for a in self.answers if a.question_id != "consent")

    def _refused(self) -> bool:
        return any(a.question_id == "consent" and a.keys == "2" for a in self.answers)

    async def _steps(self, steps: list[Step]) -> None:
        for step in steps:
            await self._step(step)

    async def _step(self, step: Step) -> None:
        if isinstance(step, Say):
            if step.closing:
                self.reached_closing = True
            await self.port.play([self.text(t) for t in parts(step.text)])
        elif isinstance(step, Question):
            await self._question(step)
        elif isinstance(step, Digits):
            await self._digits(step)
        else:
            await self._record(step)

    async def _question(self, q: Question) -> None:
        prompt = [self.text(t) for t in parts(q.text)] + [self.text(q.keypad_guide())]
        key = await self._ask(prompt, lambda k: q.option(k) is not None, q.id)
        option = q.option(key)
        assert option is not None
        score = int(key) if q.type == "scale" else None
        await self._save(Answer(q.id, q.label, q.type, keys=key, value=option.text, score=score))
        rule = self.takeover.rule_for(q.id, key) if self.takeover is not None else None
        if rule is not None and not self.handover_tried:
            # without agents set up the script goes on as if no rule had fired
            await self._hand_over(rule.id, rule.label, q.id, key, rule.misconduct)
        branch = q.branch(key)
        if branch is not None:
            await self._steps(branch.steps)
            if branch.end == "refused":
                raise _End(Outcome.REFUSED, "不方便接听")
            if branch.end == "complete":
                raise _End(Outcome.COMPLETE)

    async def _ask(self, prompt: list[str], valid: Callable[[str], bool], question_id: str) -> str:
        """Play a question and return a valid key: one repeat on silence, 输入有误 on a bad key.

        The person key puts the caller through to an agent; if none answers, the question
        is asked again. Without agents set up it is a wrong key like any other.
        """
        silent, invalid = 0, 0
        messages = self.script.messages
        await self.port.play(prompt)
        while True:
            key = await self.port.get_key(self.key_timeout)
            if key is None:
                silent += 1
                if silent > self.script.retries:
                    await self.port.play([messages.no_input_goodbye])
                    raise _End(Outcome.PARTIAL, f"无按键应答，已答{self.answered()}题")
                await self.port.play([messages.no_input, *prompt])
                continue
            if valid(key):
                return key
            if self._wants_person(key):
                assert self.takeover is not None
                label = self.takeover.person_label
                if await self._hand_over(PERSON_RULE_ID, label, question_id, key, False):
                    await self.port.play(prompt)
                    continue
            invalid += 1
            log.info("invalid key %r (%d)", key, invalid)
            if invalid >= self.script.max_invalid:
                await self.port.play([messages.too_many_invalid])
                raise _End(Outcome.PARTIAL, f"多次输入有误，已答{self.answered()}题")
            await self.port.play([messages.invalid, *prompt])

    async def _digits(self, step: Digits) -> None:
        """Take a number typed on the keypad, ended by ``#``.

        Silence before the first key is handled like a question's (one repeat, then
        goodbye); digits followed by silence count as if ``#`` had been pressed, since
        callers forget it. Too many digits, too few, or ``*`` are a wrong entry, and the
        keys still buffered after it are dropped so they do not start the next try.
        """
        prompt = [self.text(t) for t in parts(step.text)] + [self.text(step.instruction)]
        timeout = step.timeout or self.key_timeout
        silent, invalid = 0, 0
        messages = self.script.messages
        await self.port.play(prompt)
        while True:
            typed, ended = await self._typed(timeout)
            if not typed and not ended:
                silent += 1
                if silent > self.script.retries:
                    await self.port.play([messages.no_input_goodbye])
                    raise _End(Outcome.PARTIAL, f"无按键应答，已答{self.answered()}题")
                await self.port.play([messages.no_input, *prompt])
                continue
            if typed.isdigit() and step.min_digits <= len(typed) <= step.max_digits:
                await self._save(
                    Answer(step.id, step.label, "digits", keys=typed, value=typed + step.unit)
                )
                return
            invalid += 1
            log.info("invalid digits %r (%d)", typed, invalid)
            # the rest of a wrong entry must not be taken as the next try
            self.port.clear_keys()
            if invalid >= self.script.max_invalid:
                await self.port.play([messages.too_many_invalid])
                raise _End(Outcome.PARTIAL, f"多次输入有误，已答{self.answered()}题")
            await self.port.play([messages.invalid, *prompt])

    async def _typed(self, timeout: float) -> tuple[str, bool]:
        """Keys up to ``#`` or a silence of ``timeout``: (keys, whether # ended them).

        A too long entry is read to its end too, so that its ``#`` is not taken for the
        next try; ``MAX_TYPED`` keys end it regardless (a key held down, a fax tone).
        """
        typed = ""
        while len(typed) < MAX_TYPED:
            key = await self.port.get_key(timeout)
            if key is None:
                return typed, False
            if key == "#":
                return typed, True
            typed += key
        return typed, False

    async def _record(self, step: Record) -> None:
        # The answer is recorded, so the question must be heard in full: a key pressed
        # after the previous answer (a 3 typed twice) must not cut it short.
        await self.port.play(
            [self.text(t) for t in parts(step.text)] + [self.text(step.instruction)],
            barge_in=False,
        )
        self.port.clear_keys()  # a key pressed during the question must not end the recording
        rec = await self.port.record(
            step.id,
            step.max_seconds or self.options.recording_max_seconds,
            self.options.recording_max_silence,
        )
        self.port.clear_keys()  # the # that ended the recording is not the next answer
        await self._save(
            Answer(
                step.id,
                step.label,
                "recording",
                recording=rec.path if rec else None,
                value=None,
            )
        )

    def _wants_person(self, key: str) -> bool:
        return (
            self.takeover is not None
            and self.takeover.person_key == key
            and not self.handover_tried
        )

    async def _hand_over(
        self, rule_id: str, label: str, question_id: str, key: str, misconduct: bool
    ) -> bool:
        """Ring the agents; end the interview if one took the call, else say so and go on.

        False when no agents are set up: nothing was offered, nothing was said."""
        assert self.takeover is not None
        request = HandoverRequest(
            rule_id=rule_id,
            rule_label=label,
            question_id=question_id,
            key=key,
            misconduct=misconduct,
            transfer_prompt=self.text(self.takeover.transfer),
            answers=tuple(self.answers),
        )
        self._handing_over = True  # stays set if the caller hangs up while waiting
        result = await self.port.hand_over(request)
        self._handing_over = False
        if not result.offered:
            log.info(
                "takeover rule %s matched at %s (key %s) but no agents are set up: %s",
                rule_id,
                question_id,
                key,
                "taken as a wrong key" if rule_id == PERSON_RULE_ID else "the script goes on",
            )
            return False
        self.handover_tried = True
        log.info("takeover rule %s fired at %s (key %s)", rule_id, question_id, key)
        if result.connected:
            raise _End(Outcome.TRANSFERRED, f"转人工原因：{label}")
        self.port.clear_keys()
        if result.callback_task is None:
            # nobody will call back: promise nothing
            self._handover_note = "转人工未接通"
            return True
        self._handover_note = "转人工未接通，已登记回电"
        await self.port.play([self.text(self.takeover.callback)])
        return True

    async def _save(self, answer: Answer) -> None:
        self.answers.append(answer)
        await self.on_answer(answer)
