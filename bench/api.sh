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
ROUNDS=${ROUNDS:-5}
echo "uvicorn 1 worker (uvloop, httptools), wrk -t2 -c$CONNECTIONS -d${SECONDS_RUN}s x $ROUNDS rounds, alternating, on 127.0.0.1, $(nproc) cores; decision log ${ICC_EXPOSURE_DECISION_LOG:-false}"
rps() { awk '/Requests\/sec/ {print $2}'; }
lat() { awk '/^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {print "p50 " p50 ", p99 " p99}'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Warm up both routes (caches, uvloop, the CPU's clocks) before anything is counted.
wrk -t2 -c"$CONNECTIONS" -d2s "http://127.0.0.1:$PORT/bench/constant" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d2s "http://127.0.0.1:$PORT/v1/exposure?person=Putin&country=Mongolia&date=2025-06-01" >/dev/null
BARE_RPS=(); EXP_RPS=(); RATIOS=()
for round in $(seq 1 "$ROUNDS"); do
  BARE=$(run "http://127.0.0.1:$PORT/bench/constant")
  EXPOSURE=$(run "http://127.0.0.1:$PORT/v1/exposure?person=Putin&country=Mongolia&date=2025-06-01")
  b=$(echo "$BARE" | rps); e=$(echo "$EXPOSURE" | rps)
  BARE_RPS+=("$b"); EXP_RPS+=("$e"); RATIOS+=("$(awk -v e="$e" -v b="$b" 'BEGIN {printf "%.3f", e / b}')")
  printf "round %d: bare %10s req/s (%s)  exposure %10s req/s (%s)  ratio %s\n" "$round" "$b" "$(echo "$BARE" | lat)" "$e" "$(echo "$EXPOSURE" | lat)" "${RATIOS[-1]}"
done
printf "median: bare %s req/s, GET /v1/exposure %s req/s, ratio exposure / bare %s\n" \
  "$(printf '%s\n' "${BARE_RPS[@]}" | median)" "$(printf '%s\n' "${EXP_RPS[@]}" | median)" "$(printf '%s\n' "${RATIOS[@]}" | median)"
