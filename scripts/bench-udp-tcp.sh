#!/usr/bin/env bash
# bench-udp-tcp.sh -- one chat-bench load over TCP and over UDP against the same chat-server
# binary, alternating tcp, udp, tcp, udp ... and repeated, as bench-compare.sh does, so that
# run-to-run noise shows and neither transport gets the quiet minute (BENCHMARKS.md, "UDP against
# TCP, in one run"). A fresh server per run, with --udp-port=0: the bench uses its TCP port for
# tcp and its UDP port for udp.
# Usage: scripts/bench-udp-tcp.sh REPEATS SECONDS "LOAD ARGS" [path/to/chat-server]
#   e.g. scripts/bench-udp-tcp.sh 3 5 "--clients 100 --senders 1"
# Prints one line per run: transport, server ns/delivery, deliveries/s, p50/p99, loss; with
# JSON_OUT=file, appends each run's report to that file, prefixed by its transport.
# BENCH: the chat-bench (default build/rel's); SERVER_ARGS: more server arguments (default
# --data-dir=:memory:).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/wait-for-log.sh
. "$root/scripts/wait-for-log.sh"
repeats="$1" seconds="$2" load="$3"
server="${4:-$root/build/rel/apps/chat-server/chat-server}"
bench="${BENCH:-$root/build/rel/apps/chat-bench/chat-bench}"
log="$(mktemp)"
trap 'rm -f "$log" "$log.bench"' EXIT
for r in $(seq "$repeats"); do
  for transport in tcp udp; do
    : >"$log" # before the start: a grep must not find the last run's line
    # shellcheck disable=SC2086 # a list of arguments
    "$server" --port=0 --udp-port=0 --log-level=warn --max-broadcast-rate=0 \
      ${SERVER_ARGS:---data-dir=:memory:} >"$log" 2>&1 &
    pid=$!
    wait_for_log "$log" "udp listening on 127.0.0.1:[0-9]"
    tcp_port="$(sed -n 's/^chat-server listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log" | head -1)"
    udp_port="$(sed -n 's/.*udp listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log" | head -1)"
    port="$tcp_port"
    [ "$transport" = udp ] && port="$udp_port"
    # shellcheck disable=SC2086 # the load is a list of arguments
    out="$(timeout $((seconds * 3 + 60)) "$bench" --transport "$transport" --port "$port" \
      --server-pid "$pid" --duration "${seconds}s" --window 16 --payload 64 $load \
      2>"$log.bench" | tail -1 || true)"
    [ -n "$out" ] || out="no output; chat-bench said: $(tail -2 "$log.bench" | tr '\n' ' ')"
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    [ -z "${JSON_OUT:-}" ] || echo "$transport $r $out" >>"$JSON_OUT"
    python3 - "$transport" "$r" "$out" "$(tail -3 "$log")" <<'PY'
import json, sys
name, run, text, server_log = sys.argv[1:5]
try:
    d = json.loads(text)
    if not d.get("delivered"):
        raise ValueError
except Exception:
    print(f"{name:4} run {run}: no result; chat-bench said {text[-200:]!r}; the server's last "
          f"lines: {server_log!r}")
    sys.exit()
lat = d.get("latency_us", {})
expected = d.get("expected", 0) or 1
udp = d.get("udp", {})
extra = ""
if udp:
    extra = (f" socket_drops {udp.get('socket_drops')} rcvbuf {udp.get('rcvbuf_bytes_min')}"
             f" slots_reclaimed {udp.get('slots_reclaimed')} kernel {udp.get('kernel_udp')}")
print(f"{name:4} run {run}: {d.get('server_cpu_ns_per_delivery') or 0:8.1f} ns/delivery "
      f"{d.get('deliveries_per_s', 0):>12,.0f}/s p50 {lat.get('p50', 0):9.1f} "
      f"p99 {lat.get('p99', 0):10.1f} us lost {d.get('lost', 0)} "
      f"({100.0 * d.get('lost', 0) / expected:.3f} %) sent {d.get('sent', 0)}{extra}")
PY
  done
done
