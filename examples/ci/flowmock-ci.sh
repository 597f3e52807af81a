#!/usr/bin/env bash
# Run flowmock beside any test suite, then turn its history into CI reports.
# Used as-is by the GitHub Actions and GitLab CI recipes in the README, and by flowmock's own tests.
#
#   FLOWMOCK_CONFIG  flows file (default: examples/ci/flowmock.toml next to this script)
#   OUT              where reports go (default: flowmock-reports)
#   PORT             0 picks a free port (default), or a fixed one such as 7071
#   TEST_COMMAND     the suite under test; it finds the callback URL in $MONITOR_URL (default: one curl post)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
config="${FLOWMOCK_CONFIG:-$here/flowmock.toml}"
out="${OUT:-flowmock-reports}"
port="${PORT:-0}"
mkdir -p "$out"

flowmock serve --detach --config "$config" --memory --port "$port" --quiet \
  --pid-file "$out/flowmock.pid" --ready-file "$out/flowmock.url" --log-file "$out/flowmock.log"
trap 'flowmock stop --pid-file "$out/flowmock.pid" >/dev/null 2>&1 || true' EXIT
base="$(cat "$out/flowmock.url")"
flowmock wait --url "$base" --timeout 30

export MONITOR_URL="$(flowmock flows url 0c1a5e1f0c1a5e1f0c1a5e1f0c1a5e1f --url "$base")"
if [ -n "${TEST_COMMAND:-}" ]; then
  bash -c "$TEST_COMMAND"
else
  curl -fsS -X POST "$MONITOR_URL" -H 'Content-Type: application/json' \
    -d '{"collection_name":"Conduit","collection_uid":"12345678-12ece9e1-2abf-4edc-8e34-de66e74114d2","environment_name":"Production","environment_uid":"12345678-5daabc50-8451-43f6-922d-96b403b4f28e","metrics":{"errors":0,"failedTests":0,"passedTests":4,"requestCount":2,"totalLatency":41,"warnings":0},"monitor_name":"Conduit hourly","monitor_uid":"12345678-1e6b6cc1-c760-48e0-968f-4bfaeeae9af1","user_id":"12345678","user_name":"ci"}'
fi

flowmock runs export --url "$base" --format junit --out "$out/flowmock-junit.xml"
flowmock runs export --url "$base" --format har --out "$out/flowmock.har"
flowmock runs export --url "$base" --format jsonl --out "$out/flowmock.jsonl"
status=0
flowmock runs assert --url "$base" --all-conform --min-count "${MIN_COUNT:-1}" || status=$?
flowmock stop --pid-file "$out/flowmock.pid"
trap - EXIT
exit "$status"
