"""Where the checkout is: the default home of the scripts, dialplans and storage."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
