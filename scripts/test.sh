#!/usr/bin/env bash
# The whole suite as two pytest processes side by side. The calls on the real Asterisk spend
# most of their time waiting for prompts to play and phones to ring, so the rest of the suite
# (unit, PostgreSQL, Redis, browser) runs beside them instead of after them. The calls stream
# to the terminal; the rest is printed when it ends. Exits non-zero if either failed.
set -uo pipefail
PY=${1:?usage: scripts/test.sh PYTHON [pytest args]}
shift
rest_log=$(mktemp -t callcenter-tests.XXXXXX)
trap 'rm -f "$rest_log"' EXIT

"$PY" -m pytest -q -m "not asterisk" "$@" >"$rest_log" 2>&1 &
rest=$!
# the slowest calls are listed, to keep the whole run within its time
"$PY" -m pytest -q -m asterisk --durations=20 "$@"
calls_rc=$?
wait "$rest"
rest_rc=$?

echo
echo "=== the rest of the suite (unit, PostgreSQL, Redis, browser) ==="
cat "$rest_log"
echo
echo "calls on the real Asterisk: exit ${calls_rc}; the rest: exit ${rest_rc}"
[ "$calls_rc" -eq 0 ] && [ "$rest_rc" -eq 0 ]
