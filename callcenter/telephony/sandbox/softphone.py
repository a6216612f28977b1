"""A real SIP softphone for the sandbox: baresip (Debian ``baresip-core``) as an agent.

It registers with the agent's credentials over SIP, sends a tone as the agent's
voice, dumps what it hears to a WAV file, and is driven over baresip's ``ctrl_tcp``
(netstring-framed JSON): ``accept``, ``hangup``, and the events it reports
(``CALL_INCOMING``, ``CALL_ESTABLISHED``, ``CALL_CLOSED``, …).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import shutil
import socket
import struct
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from callcenter.kernel.errors import SandboxError

log = logging.getLogger(__name__)

MODULES = "/usr/lib/baresip/modules"


@dataclass(frozen=True)
class PhoneEvent:
    at: float  # time.monotonic() when it arrived
    type: str
    data: dict[str, Any]


def free_port(pair: bool = False) -> int:
    """A free loopback port; with ``pair``, one whose successor is free too (baresip
    listens for SIP over UDP and TCP on the port, and over TLS on the next one)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if not pair:
            return port
        if port >= 65000:
            continue
        try:
            for p, kind in ((port, socket.SOCK_DGRAM), (port + 1, socket.SOCK_STREAM)):
                with socket.socket(socket.AF_INET, kind) as s:
                    s.bind(("127.0.0.1", p))
        except OSError:
            continue
        return port
    raise SandboxError("no free loopback port for a softphone")


def write_tone(path: Path, seconds: int = 120, hz: float = 440.0) -> Path:
    """A quiet sine tone, 8 kHz mono: the agent's 'voice'."""
    frame = b"".join(
        struct.pack("<h", int(6000 * math.sin(2 * math.pi * hz * i / 8000))) for i in range(8000)
    )
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        for _ in range(seconds):
            w.writeframes(frame)
    return path


class Softphone:
    """One baresip process registered as ``login`` at the sandbox's SIP port."""

    def __init__(
        self,
        login: str,
        password: str,
        workdir: Path,
        *,
        auto_answer: bool,
        registrar: str = "127.0.0.1:5060",
        tone_hz: float = 440.0,
    ) -> None:
        self.login = login
        self._password = password
        self.dir = workdir
        self.auto_answer = auto_answer
        self.registrar = registrar
        self.tone_hz = tone_hz
        self.sip_port = 0
        self.ctrl_port = 0
        self.events: list[PhoneEvent] = []
        self._changed = asyncio.Event()
        self._proc: asyncio.subprocess.Process | None = None
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._pump: asyncio.Task[None] | None = None
        self._token = 0
        self._replies: dict[str, asyncio.Future[dict[str, Any]]] = {}

    def __repr__(self) -> str:
        return f"Softphone({self.login!r}, auto_answer={self.auto_answer})"

    @property
    def heard(self) -> Path:
        """What the phone received in its last call, as a WAV file (8 kHz mono).

        baresip 1.0's aufile module cannot play into a file; the sndfile filter dumps
        each call's decoded audio instead, behind a loopback (aubridge) player."""
        dumps = sorted((self.dir / "heard").glob("*-dec.wav"))
        if not dumps:
            raise SandboxError(f"softphone {self.login} has recorded no call in {self.dir}")
        return dumps[-1]

    # -- lifecycle -------------------------------------------------------------------

    async def start(self, timeout: float = 10) -> Softphone:
        if shutil.which("baresip") is None:
            raise SandboxError(
                "baresip is not installed: `apt-get install baresip-core` (scripts/apt-deps.sh)"
            )
        (self.dir / "heard").mkdir(parents=True, exist_ok=True)
        self.sip_port = free_port(pair=True)
        self.ctrl_port = free_port()
        voice = write_tone(self.dir / "voice.wav", hz=self.tone_hz)
        answer = "auto" if self.auto_answer else "manual"
        (self.dir / "accounts").write_text(
            f"<sip:{self.login}@{self.registrar};transport=udp>;auth_pass={self._password};"
            f"answermode={answer};regint=60\n"
        )
        (self.dir / "config").write_text(
            "\n".join(
                (
                    f"sip_listen 127.0.0.1:{self.sip_port}",
                    f"audio_player aubridge,{self.login}",
                    f"audio_source aufile,{voice}",
                    f"module_path {MODULES}",
                    "module g711.so",
                    "module aufile.so",
                    "module aubridge.so",
                    "module sndfile.so",
                    f"snd_path {self.dir / 'heard'}",
                    "module_app account.so",
                    "module_app menu.so",
                    "module_app ctrl_tcp.so",
                    f"ctrl_tcp_listen 127.0.0.1:{self.ctrl_port}",
                    "net_prefer_ipv6 no",
                    "",
                )
            )
        )
        logfile = (self.dir / "baresip.log").open("ab")
        self._proc = await asyncio.create_subprocess_exec(
            "baresip",
            "-f",
            str(self.dir),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=logfile,
            stderr=asyncio.subprocess.STDOUT,
        )
        logfile.close()
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._reader, self._writer = await asyncio.open_connection(
                    "127.0.0.1", self.ctrl_port
                )
                break
            except OSError:
                if self._proc.returncode is not None or time.monotonic() > deadline:
                    raise SandboxError(
                        f"baresip for {self.login} did not start; see {self.dir / 'baresip.log'}"
                    ) from None
                await asyncio.sleep(0.05)
        self._pump = asyncio.create_task(self._read(), name=f"softphone-{self.login}")
        return self

    async def stop(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
        if self._proc is not None and self._proc.returncode is None:
            self._proc.terminate()
            try:
                async with asyncio.timeout(5):
                    await self._proc.wait()
            except TimeoutError:
                self._proc.kill()
                await self._proc.wait()

    async def kill(self) -> None:
        """Vanish without a word, as a crashed phone or one that lost its network: no
        un-REGISTER, no reply to anything Asterisk sends it afterwards."""
        if self._proc is not None and self._proc.returncode is None:
            self._proc.kill()
            await self._proc.wait()
        await self.stop()

    async def __aenter__(self) -> Softphone:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- control ---------------------------------------------------------------------

    async def command(self, command: str, params: str = "", timeout: float = 5) -> dict[str, Any]:
        if self._writer is None:
            raise SandboxError(f"softphone {self.login} is not started")
        self._token += 1
        token = str(self._token)
        reply: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._replies[token] = reply
        body = json.dumps({"command": command, "params": params, "token": token}).encode()
        self._writer.write(str(len(body)).encode() + b":" + body + b",")
        await self._writer.drain()
        async with asyncio.timeout(timeout):
            return await reply

    async def accept(self) -> None:
        await self.command("accept")

    async def hangup(self) -> None:
        await self.command("hangup")

    async def wait_for(self, kind: str, timeout: float, after: float = 0.0) -> PhoneEvent:
        """The first event of ``kind`` that arrived after ``after`` (monotonic time)."""
        async with asyncio.timeout(timeout):
            while True:
                for event in self.events:
                    if event.type == kind and event.at >= after:
                        return event
                self._changed.clear()
                await self._changed.wait()

    async def nth(self, kind: str, index: int, timeout: float) -> PhoneEvent:
        """The ``index``-th (from 0) event of ``kind``, once it has arrived."""
        async with asyncio.timeout(timeout):
            while True:
                events = self.seen(kind)
                if len(events) > index:
                    return events[index]
                self._changed.clear()
                await self._changed.wait()

    def seen(self, kind: str) -> list[PhoneEvent]:
        return [e for e in self.events if e.type == kind]

    async def _read(self) -> None:
        assert self._reader is not None
        buffer = b""
        while True:
            data = await self._reader.read(65536)
            if not data:
                return
            buffer += data
            while b":" in buffer:
                size, _, rest = buffer.partition(b":")
                if len(rest) < int(size) + 1:
                    break
                message, buffer = rest[: int(size)], rest[int(size) + 1 :]
                self._handle(json.loads(message))

    def _handle(self, message: dict[str, Any]) -> None:
        if message.get("event"):
            self.events.append(PhoneEvent(time.monotonic(), str(message.get("type")), message))
            self._changed.set()
        elif message.get("response"):
            reply = self._replies.pop(str(message.get("token")), None)
            if reply is not None and not reply.done():
                reply.set_result(message)
