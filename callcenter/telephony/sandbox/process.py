"""Start, stop and inspect the sandbox Asterisk: unprivileged, loopback only."""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import os
import resource
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from callcenter.kernel.errors import SandboxError
from callcenter.telephony.config import AriSettings, SandboxSettings
from callcenter.telephony.sandbox import config as asterisk_config
from callcenter.telephony.sandbox.provision import provision, root_dir

log = logging.getLogger(__name__)

STATE = "/srv/callcenter"  # inside the chroot
SIM_SOUNDS = f"{STATE}/sim"
# Instance n > 1 of the sandbox (a second server of a set) runs from the same chroot with
# its own state directory, its ports moved by these steps, and RTP ports of its own.
SIP_PORT_STEP = 100
RTP_PORTS_PER_INSTANCE = 5000


def instance_state(instance: int) -> str:
    return STATE if instance == 1 else f"{STATE}-{instance}"


def instance_ari(ari: AriSettings, instance: int) -> AriSettings:
    """The ARI of sandbox instance ``instance``: the first's port plus ``instance - 1``."""
    if instance == 1:
        return ari
    base, port = ari.url.rsplit(":", 1)
    return ari.model_copy(update={"url": f"{base}:{int(port.split('/')[0]) + instance - 1}"})


@dataclass(frozen=True)
class SandboxStatus:
    running: bool
    pid: int | None
    ari_ok: bool
    version: str
    ari_url: str
    root: Path
    storage_root: Path
    instance: int = 1

    def describe(self) -> str:
        state = f"running (pid {self.pid})" if self.running else "stopped"
        ari = "answers" if self.ari_ok else "does not answer"
        name = "Asterisk sandbox" + (f" {self.instance}" if self.instance > 1 else "")
        sip = 5060 + SIP_PORT_STEP * (self.instance - 1)
        return (
            f"{name}: {state}\n"
            f"  version:  {self.version or 'unknown'}\n"
            f"  chroot:   {self.root}\n"
            f"  ARI:      {self.ari_url} ({ari})\n"
            f"  SIP:      udp 127.0.0.1:{sip} (trunk), udp 127.0.0.1:{sip + 10} "
            "(simulated applicants)\n"
            f"  storage:  {self.storage_root} (bind-mounted at the same path)\n"
            f"  recordings spool: {self.root}{instance_state(self.instance)}/spool/recording"
        )


class SandboxConfig(Protocol):
    """The settings a sandbox runs from (``callcenter.settings.Settings`` has them)."""

    @property
    def sandbox(self) -> SandboxSettings: ...
    @property
    def ari(self) -> AriSettings: ...
    @property
    def storage_root(self) -> Path: ...


class Sandbox:
    """Sandbox instance ``instance`` (1: the one every test shares; 2…: further servers
    of a set, each with its own state, ports and spool, never touching the first)."""

    def __init__(self, settings: SandboxConfig, instance: int = 1) -> None:
        self.settings = settings
        self.instance = instance
        self.state = instance_state(instance)
        self.ari = instance_ari(settings.ari, instance)
        self._suffix = "" if instance == 1 else f"-{instance}"
        self.cache_dir = settings.sandbox.cache_dir
        self.root = root_dir(self.cache_dir)
        self.uid = settings.sandbox.uid
        self.storage_root = settings.storage_root.resolve()

    # -- paths ---------------------------------------------------------------
    def host(self, inside: str) -> Path:
        """Host path of a path inside the chroot."""
        return self.root / inside.lstrip("/")

    @property
    def pid_file(self) -> Path:
        return self.cache_dir / f"asterisk{self._suffix}.pid"

    @property
    def digest_file(self) -> Path:
        return self.cache_dir / f"asterisk{self._suffix}.config-digest"

    @property
    def asterisk_pid_file(self) -> Path:
        return self.host(f"{self.state}/run/asterisk.pid")

    @property
    def log_file(self) -> Path:
        return self.host(f"{self.state}/log/console.log")

    # -- lifecycle -----------------------------------------------------------
    def up(self, sounds: dict[str, Path] | None = None, timeout: float = 60) -> SandboxStatus:
        provision(self.cache_dir, self.settings.sandbox.debian_suite)
        self._prepare_dirs()
        self._mount_storage()
        for name, src in (sounds or {}).items():
            dst = self.host(f"{self.state}/sim/{name}.wav")
            if not dst.exists() or dst.read_bytes() != src.read_bytes():
                shutil.copyfile(src, dst)
        digest = asterisk_config.write(
            asterisk_config.render(self._config()), self.host(f"{self.state}/etc")
        )
        pid = self._pid()
        if pid is not None:
            previous = self.digest_file.read_text() if self.digest_file.exists() else ""
            if previous == digest and self._ari_ok():
                return self.status()
            log.info("sandbox configuration changed; restarting Asterisk")
            self._stop(pid)
        self._start()
        self.digest_file.write_text(digest)
        self._wait_for_ari(timeout)
        return self.status()

    def down(self) -> None:
        pid = self._pid()
        if pid is not None:
            self._stop(pid)
        if self.instance == 1:  # the storage mount is shared by every instance
            self._unmount_storage()

    def status(self) -> SandboxStatus:
        pid = self._pid()
        version = ""
        marker = self.root / ".callcenter-provisioned"
        if marker.exists():
            version = marker.read_text().strip()
        return SandboxStatus(
            running=pid is not None,
            pid=pid,
            ari_ok=pid is not None and self._ari_ok(),
            version=version,
            ari_url=self.ari.url,
            root=self.root,
            storage_root=self.storage_root,
            instance=self.instance,
        )

    # -- internals -----------------------------------------------------------
    def _config(self) -> asterisk_config.AsteriskConfig:
        state = self.state
        dirs = asterisk_config.AsteriskDirs(
            etc=f"{state}/etc",
            lib=f"{state}/lib",
            log=f"{state}/log",
            run=f"{state}/run",
            cache=f"{state}/cache",
            spool=f"{state}/spool",
        )
        ari = self.ari
        port = int(ari.url.rsplit(":", 1)[1].split("/")[0])
        config = asterisk_config.AsteriskConfig(
            dirs=dirs,
            ari_user=ari.username,
            ari_password=ari.password.get_secret_value(),
            http_port=port,
            sim_sounds=f"{state}/sim",
        )
        if self.instance == 1:
            return config
        step = SIP_PORT_STEP * (self.instance - 1)
        sim = config.sim_port + step
        rtp = config.rtp_end + 1 + RTP_PORTS_PER_INSTANCE * (self.instance - 2)
        return dataclasses.replace(
            config,
            sip_port=config.sip_port + step,
            sim_port=sim,
            trunk_contact=f"sip:127.0.0.1:{sim}",
            trunk_match=f"127.0.0.1:{sim}",
            rtp_start=rtp,
            rtp_end=rtp + RTP_PORTS_PER_INSTANCE - 1,
        )

    def _prepare_dirs(self) -> None:
        for sub in ("etc", "lib", "log", "run", "cache", "sim", "spool", "spool/recording"):
            path = self.host(f"{self.state}/{sub}")
            path.mkdir(parents=True, exist_ok=True)
            os.chown(path, self.uid, self.uid)
        (self.storage_root / "prompts").mkdir(parents=True, exist_ok=True)

    def _mounted(self, target: Path) -> bool:
        with open("/proc/self/mountinfo") as f:
            return any(line.split()[4] == str(target) for line in f)

    def _mount_storage(self) -> None:
        target = self.host(str(self.storage_root))
        target.mkdir(parents=True, exist_ok=True)
        if self._mounted(target):
            return
        result = subprocess.run(
            ["mount", "--bind", str(self.storage_root), str(target)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise SandboxError(
                f"could not bind-mount the storage root {self.storage_root} into the sandbox "
                f"at {target}: {result.stderr.strip()} (the sandbox must be started as root)"
            )

    def _unmount_storage(self) -> None:
        target = self.host(str(self.storage_root))
        while self._mounted(target):
            subprocess.run(["umount", str(target)], check=False, capture_output=True)

    def _start(self) -> None:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self.asterisk_pid_file.unlink(missing_ok=True)
        # setsid -f detaches Asterisk from this process: it outlives the command that
        # started it, and Asterisk's own pid file says which process it is.
        cmd = [
            "setsid",
            "-f",
            "chroot",
            f"--userspec={self.uid}:{self.uid}",
            str(self.root),
            "/usr/sbin/asterisk",
            "-f",
            "-n",
            "-C",
            f"{self.state}/etc/asterisk.conf",
        ]

        def _limits() -> None:
            # hundreds of calls need several sockets each
            _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            want = 65536 if hard == resource.RLIM_INFINITY else min(65536, hard)
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

        with open(self.log_file, "ab") as logf:
            subprocess.run(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=logf,
                stderr=subprocess.STDOUT,
                preexec_fn=_limits,
                env={"HOME": self.state, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
                check=True,
            )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                self.pid_file.write_text(self.asterisk_pid_file.read_text().strip())
                return
            except (FileNotFoundError, ValueError):
                time.sleep(0.05)
        raise SandboxError(
            f"Asterisk did not start; last lines of {self.log_file}:\n{self._log_tail()}"
        )

    def _pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except FileNotFoundError:
            return None
        if b"asterisk" not in cmdline:
            return None
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            return None
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            os.waitpid(pid, os.WNOHANG)
            return None
        return pid

    def _stop(self, pid: int) -> None:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and self._pid() == pid:
            time.sleep(0.1)
        if self._pid() == pid:
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.2)
        self.pid_file.unlink(missing_ok=True)

    def _ari_ok(self) -> bool:
        ari = self.ari
        req = urllib.request.Request(f"{ari.url}/ari/asterisk/info")
        token = base64.b64encode(f"{ari.username}:{ari.password.get_secret_value()}".encode())
        req.add_header("Authorization", "Basic " + token.decode())
        try:
            with urllib.request.urlopen(req, timeout=2) as resp:
                json.loads(resp.read())
                return bool(resp.status == 200)
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def _wait_for_ari(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._pid() is None:
                raise SandboxError(
                    f"Asterisk exited during start-up; last lines of {self.log_file}:\n{self._log_tail()}"
                )
            if self._ari_ok():
                return
            time.sleep(0.2)
        raise SandboxError(
            f"ARI did not answer within {timeout:.0f} s at {self.ari.url}; log:\n{self._log_tail()}"
        )

    def _log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"
