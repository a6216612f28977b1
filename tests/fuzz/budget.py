"""How many generated inputs each fuzz target runs: a small slice in ``make test``,
``CALLCENTER_FUZZ_EXAMPLES`` (10,000 by ``make fuzz``) otherwise.

A crash is anything but the project's typed errors (``CallcenterError``) for a file, and a
5xx or another user's data for a web page; each target counts what it ran so the figures
can be reported.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("CALLCENTER_FUZZ_EXAMPLES", "150"))

# Deterministic (derandomize): a slice in CI always tries the same inputs; no database
# of past examples is written into the checkout.
fuzz_settings = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 1000,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
