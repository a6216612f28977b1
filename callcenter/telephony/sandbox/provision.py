"""A real Asterisk 22 from Debian's packages, in a chroot cached outside the checkout.

Debian stable has no Asterisk 22 and sid's package needs sid's libc, so the
sandbox is a minimal sid tree made once with debootstrap and reused afterwards.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

from callcenter.kernel.errors import SandboxError

log = logging.getLogger(__name__)

PACKAGES = ("asterisk", "asterisk-modules")
_MARKER = ".callcenter-provisioned"


def root_dir(cache_dir: Path) -> Path:
    return cache_dir / "asterisk-root"


def is_provisioned(cache_dir: Path) -> bool:
    return (root_dir(cache_dir) / _MARKER).is_file()


def provision(cache_dir: Path, suite: str = "sid") -> Path:
    """Make the chroot if it is missing; return its path. Safe to call every time."""
    root = root_dir(cache_dir)
    if is_provisioned(cache_dir):
        return root
    if shutil.which("debootstrap") is None:
        raise SandboxError(
            "debootstrap is not installed: run `apt-get install debootstrap` "
            "(`make deps` does it) before `callcenter sandbox up`"
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache_dir / "asterisk-root.partial"
    if tmp.exists():
        # a half-made tree from an interrupted run cannot be trusted
        shutil.rmtree(tmp)
    if root.exists() and not is_provisioned(cache_dir):
        shutil.rmtree(root)
    log.info("provisioning Asterisk (%s) into %s, about a minute", suite, root)
    cmd = [
        "debootstrap",
        "--variant=minbase",
        f"--include={','.join(PACKAGES)}",
        suite,
        str(tmp),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-15:])
        raise SandboxError(f"debootstrap failed (exit {result.returncode}):\n{tail}")
    if not (tmp / "usr/sbin/asterisk").is_file():
        raise SandboxError(f"debootstrap finished but {tmp}/usr/sbin/asterisk is missing")
    tmp.rename(root)
    (root / _MARKER).write_text(asterisk_version(root) + "\n")
    return root


def asterisk_version(root: Path) -> str:
    out = subprocess.run(
        ["chroot", str(root), "/usr/sbin/asterisk", "-V"],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() or out.stderr.strip()
