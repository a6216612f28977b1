"""Entry point for ``celery -A callcenter.entrypoints.worker worker|beat``: the app built
from the environment's settings (``CALLCENTER_*``, ``CALLCENTER_CONFIG``).

``callcenter campaign worker`` and ``callcenter campaign beat`` do the same with the
options of the ``callcenter`` command.
"""

from __future__ import annotations

from callcenter.bootstrap import make_celery
from callcenter.settings import load_settings

app = make_celery(load_settings(), worker=True)
