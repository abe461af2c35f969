#!/usr/bin/env bash
# bench-compare.sh -- the same chat-bench loads against several chat-server binaries, alternating
# binary by binary and repeated, so that run-to-run noise shows and no binary gets the quiet
# minute. Used for BENCHMARKS.md rows that decide a question (one load, a few servers).
# Usage: scripts/bench-compare.sh REPEATS SECONDS "LOAD ARGS" [udp:]NAME=path/to/chat-server[,BENCH]...
#   BENCH: the chat-bench for that server (an older build speaks an older protocol version 2)
#   udp: the bench talks to the server's UDP endpoint (SERVER_ARGS must hold --udp-port=0)
#   e.g. scripts/bench-compare.sh 3 5 "--clients 1000 --channels 100 --senders 1000" \
#          base=/work/baseline/build/rel/apps/chat-server/chat-server ours=build/.../chat-server
# Prints one line per run: name, server ns/delivery, deliveries/s, p50/p99, lost (and a UDP
# run's socket drops); with JSON_OUT=file, appends each run's report to it, prefixed by its name.
# SERVER_ARGS: more arguments for every server (e.g. --data-dir=:memory:; default: none).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/wait-for-log.sh
. "$root/scripts/wait-for-log.sh"
repeats="$1" seconds="$2" load="$3"
shift 3
bench="${BENCH:-$root/build/bench-channels/apps/chat-bench/chat-bench}"
log="$(mktemp)"
trap 'rm -f "$log" "$log.bench"' EXIT
for r in $(seq "$repeats"); do
  for named in "$@"; do
    transport=tcp
    if [[ "$named" == udp:* ]]; then transport=udp named="${named#udp:}"; fi
    name="${named%%=*}" server="${named#*=}" this_bench="$bench"
    if [[ "$server" == *,* ]]; then this_bench="${server#*,}" server="${server%%,*}"; fi
    : >"$log" # before the start: a grep must not find the last run's line
    # shellcheck disable=SC2086 # a list of arguments
    "$server" --port=0 --log-level=warn --max-broadcast-rate=0 ${SERVER_ARGS:-} >"$log" 2>&1 &
    pid=$!
    if [ "$transport" = udp ]; then
      wait_for_log "$log" "udp listening on 127.0.0.1:[0-9]"
      port="$(sed -n 's/.*udp listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log" | head -1)"
    else # the TCP line comes first; a server with --udp-port prints its UDP line after it
      wait_for_log "$log" "listening on 127.0.0.1:[0-9]"
      port="$(sed -n '/udp listening/d; s/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log" | head -1)"
    fi
    via=() # not for TCP: an older chat-bench knows no --transport
    [ "$transport" = tcp ] || via=(--transport "$transport")
    # shellcheck disable=SC2086 # the load is a list of arguments
    out="$(timeout $((seconds * 3 + 60)) "$this_bench" "${via[@]}" --port "$port" \
      --server-pid "$pid" --duration "${seconds}s" --window 16 --payload 64 $load \
      2>"$log.bench" | tail -1 || true)"
      [ -n "$out" ] || out="no output; chat-bench said: $(tail -2 "$log.bench" | tr '\n' ' '); the server is $(kill -0 "$pid" 2>/dev/null && echo running || echo gone)"
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    [ -z "${JSON_OUT:-}" ] || echo "$name $r $out" >>"$JSON_OUT"
    python3 - "$name" "$r" "$out" "$(tail -3 "$log")" <<'PY'
import json, sys
name, run, text, server_log = sys.argv[1:5]
try:
    d = json.loads(text)
    if not d.get("delivered"):
        raise ValueError
except Exception:
    print(f"{name:10} run {run}: no result; chat-bench said {text[-200:]!r}; the server's last "
          f"lines: {server_log!r}")
    sys.exit()
lat = d.get("latency_us", {})
expected = d.get("expected", 0) or 1
udp = d.get("udp", {})
extra = ""
if udp:
    extra = (f" sent {d.get('sent', 0)} socket_drops {udp.get('socket_drops')} rcvbuf "
             f"{udp.get('rcvbuf_bytes_min')} slots_reclaimed {udp.get('slots_reclaimed')} "
             f"kernel {udp.get('kernel_udp')}")
print(f"{name:10} run {run}: {d.get('server_cpu_ns_per_delivery') or 0:8.1f} ns/delivery "
      f"{d.get('deliveries_per_s', 0):>12,.0f}/s p50 {lat.get('p50', 0):9.1f} "
      f"p99 {lat.get('p99', 0):10.1f} us lost {d.get('lost', 0)} "
      f"({100.0 * d.get('lost', 0) / expected:.3f} %){extra}")
PY
  done
done
