"""The transcription worker process: ``callcenter transcription worker``, or
``python -m callcenter.entrypoints.transcription_worker [CONCURRENCY]`` with settings from
the environment (``CALLCENTER_*``), which loads nothing of the web or CLI stack.
"""

from __future__ import annotations

import sys

from callcenter.container import Container
from callcenter.settings import load_settings

if __name__ == "__main__":
    Container(load_settings()).run_transcription_worker(
        int(sys.argv[1]) if len(sys.argv) > 1 else 1
    )
