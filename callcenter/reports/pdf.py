"""A printable 通报 to PDF: the very page the browser prints, written to a file and
printed by headless Chromium (its print stylesheet applies). The page is
self-contained (inline styles and SVG charts), so Chromium fetches nothing."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from callcenter.kernel.errors import ReportError

ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-pdf-header-footer",
)


def print_pdf(html: str, chromium: Path, timeout: float = 60) -> bytes:
    if not chromium.is_file():
        raise ReportError(f"{chromium} is missing: set reports.chromium to a Chromium binary")
    with tempfile.TemporaryDirectory(prefix="callcenter-report-") as tmp:
        page, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        try:
            done = subprocess.run(
                [
                    str(chromium),
                    *ARGS,
                    f"--user-data-dir={tmp}/profile",
                    f"--print-to-pdf={out}",
                    page.as_uri(),
                ],
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ReportError(f"{chromium} did not print the report in {timeout:g} s") from None
        if done.returncode != 0 or not out.is_file():
            said = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
            raise ReportError(f"{chromium} could not print the report: {said[0]}")
        return out.read_bytes()
