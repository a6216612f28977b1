#!/usr/bin/env bash
# The whole suite as three pytest processes side by side. The calls on the real Asterisk
# spend most of their time waiting for prompts to play and phones to ring, so they run as
# two groups on the one sandbox (their numbers, ARI apps and agents never meet), with the
# rest of the suite (unit, PostgreSQL, Redis, browser) beside them. The first group
# streams to the terminal; the others are printed when they end. Exits non-zero if any
# failed.
set -uo pipefail
PY=${1:?usage: scripts/test.sh PYTHON [pytest args]}
shift
rest_log=$(mktemp -t callcenter-tests.XXXXXX)
campaigns_log=$(mktemp -t callcenter-tests.XXXXXX)
trap 'rm -f "$rest_log" "$campaigns_log"' EXIT

# the campaigns' group: Celery workers, scale-out and the 整改 loop on real calls
CAMPAIGNS=(tests/campaign tests/tickets tests/entrypoints tests/transcription)

# started once before the groups, so that they do not both provision it at once
"$PY" -c 'from tests.sandbox_fixtures import e2e_settings
from callcenter.telephony.sandbox.cli import up
up(e2e_settings())' || exit 1

"$PY" -m pytest -q -m "not asterisk" "$@" >"$rest_log" 2>&1 &
rest=$!
# the slowest calls of each group are listed, to keep the whole run within its time
"$PY" -m pytest -q -m asterisk --durations=10 "$@" "${CAMPAIGNS[@]}" >"$campaigns_log" 2>&1 &
campaigns=$!
ignored=()
for d in "${CAMPAIGNS[@]}"; do ignored+=(--ignore="$d"); done
"$PY" -m pytest -q -m asterisk --durations=10 "${ignored[@]}" "$@"
calls_rc=$?
wait "$campaigns"
campaigns_rc=$?
wait "$rest"
rest_rc=$?

echo
echo "=== calls on the real Asterisk: campaigns, tickets, web, transcription ==="
cat "$campaigns_log"
echo
echo "=== the rest of the suite (unit, PostgreSQL, Redis, browser) ==="
cat "$rest_log"
echo
echo "calls on the real Asterisk: exit ${calls_rc} and ${campaigns_rc}; the rest: exit ${rest_rc}"
[ "$calls_rc" -eq 0 ] && [ "$campaigns_rc" -eq 0 ] && [ "$rest_rc" -eq 0 ]
