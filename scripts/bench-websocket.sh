#!/usr/bin/env bash
# bench-websocket.sh REPEATS SECONDS [SERVER] -- the same fan-out loads over TCP and over the
# WebSocket gateway (chat-bench --transport ws), alternating run by run against one chat-server
# build started with --http-port=0 (BENCHMARKS.md "WebSocket against TCP"). Prints one line per
# run: transport, load, server CPU per delivery, deliveries/s, p50/p99 latency, lost.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/wait-for-log.sh
. "$root/scripts/wait-for-log.sh"
repeats="$1" seconds="$2"
server="${3:-$root/build/bench-channels/apps/chat-server/chat-server}"
bench="${BENCH:-$root/build/bench-channels/apps/chat-bench/chat-bench}"
log="$(mktemp)"
trap 'rm -f "$log" "$log.bench"' EXIT
loads=("--clients 10 --senders 10" "--clients 100 --senders 10 --channels 1"
  "--clients 1000 --channels 100 --senders 100")
for load in "${loads[@]}"; do
  for r in $(seq "$repeats"); do
    for transport in tcp ws; do
      : >"$log" # before the start: a grep must not find the last run's line
      "$server" --port=0 --http-port=0 --log-level=warn --max-broadcast-rate=0 \
        --data-dir=:memory: >"$log" 2>&1 &
      pid=$!
      wait_for_log "$log" "http listening on 127.0.0.1:[0-9]"
      if [ "$transport" = ws ]; then
        port="$(sed -n 's/.*http listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log" | head -1)"
      else
        port="$(sed -n 's/^chat-server listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log" | head -1)"
      fi
      # shellcheck disable=SC2086 # the load is a list of arguments
      out="$(timeout $((seconds * 3 + 60)) "$bench" --transport "$transport" --port "$port" \
        --server-pid "$pid" --duration "${seconds}s" --window 16 --payload 64 $load \
        2>"$log.bench" | tail -1 || true)"
      [ -n "$out" ] || out="no output; chat-bench said: $(tail -2 "$log.bench" | tr '\n' ' '); the server is $(kill -0 "$pid" 2>/dev/null && echo running || echo gone)"
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      /usr/bin/python3 - "$transport" "$load" "$r" "$out" <<'PY'
import json, sys
transport, load, run, text = sys.argv[1:5]
try:
    d = json.loads(text)
except Exception:
    print(f"{transport:3} {load:45} run {run}: no result: {text[-200:]!r}")
    sys.exit()
lat = d.get("latency_us", {})
print(f"{transport:3} {load:45} run {run}: {d.get('server_cpu_ns_per_delivery', 0):8.1f} ns/delivery "
      f"{d.get('deliveries_per_s', 0):>12,.0f}/s p50 {lat.get('p50', 0):9.1f} "
      f"p99 {lat.get('p99', 0):10.1f} us lost {d.get('lost', 0)}")
PY
    done
  done
done
