#!/usr/bin/env bash
# REST throughput and latency on loopback with wrk: GET /v1/exposure against a bare FastAPI
# endpoint returning constant JSON, served by the same uvicorn process with the same settings,
# and their ratio. Installs wrk from Debian's packages if it is missing.
#   bash bench/api.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_RUN=${1:-10}
CONNECTIONS=${2:-32}
PORT=${PORT:-8765}
PY=.venv/bin/python
if ! command -v wrk >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null 2>&1 || { echo "wrk is not installed and could not be installed"; exit 1; }
fi
"$PY" -m uvicorn bench.bench_app:create_bench_app --factory --host 127.0.0.1 --port "$PORT" \
  --log-level warning --no-access-log --loop uvloop --http httptools >/tmp/icc-bench-server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
run() { wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_RUN}s" --latency "$1" ; }
echo "uvicorn 1 worker (uvloop, httptools), wrk -t2 -c$CONNECTIONS -d${SECONDS_RUN}s on 127.0.0.1, $(nproc) cores"
BARE=$(run "http://127.0.0.1:$PORT/bench/constant")
EXPOSURE=$(run "http://127.0.0.1:$PORT/v1/exposure?person=Putin&country=Mongolia&date=2025-06-01")
rps() { awk '/Requests\/sec/ {print $2}'; }
lat() { awk '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {print "p50 " p50 ", p99 " p99}'; }
b=$(echo "$BARE" | rps); e=$(echo "$EXPOSURE" | rps)
printf "bare constant JSON : %10s req/s  %s\n" "$b" "$(echo "$BARE" | lat)"
printf "GET /v1/exposure   : %10s req/s  %s\n" "$e" "$(echo "$EXPOSURE" | lat)"
awk -v e="$e" -v b="$b" 'BEGIN {printf "ratio exposure / bare: %.2f\n", e / b}'
