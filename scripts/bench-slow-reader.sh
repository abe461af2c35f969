#!/usr/bin/env bash
# bench-slow-reader.sh REPEATS SECONDS NAME=path/to/chat-server... -- issue "History", point 5:
# ten members broadcast at full speed in lobby (chat-bench, version 1, --max-broadcast-rate=0),
# with and without an eleventh member that reads at most 20 KB/s (scripts/slow-reader.py, which
# logs in again whenever it is cut, so the room has a slow member for the whole run),
# alternating server by server and with/without, so no run gets the quiet minute. Prints one
# line per run: deliveries/s and server CPU per delivery of the ten, lost, and how the slow
# reader ended. Each server keeps its history in memory (--data-dir=:memory:).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/wait-for-log.sh
. "$root/scripts/wait-for-log.sh"
repeats="$1" seconds="$2"
shift 2
bench="${BENCH:-$root/build/bench-channels/apps/chat-bench/chat-bench}"
log="$(mktemp)" slow_out="$(mktemp)"
trap 'rm -f "$log" "$slow_out"' EXIT
for r in $(seq "$repeats"); do
  for named in "$@"; do
    for with in no yes; do
      name="${named%%=*}" server="${named#*=}"
      : >"$log" # before the start: a grep must not find the last run's line
      "$server" --port=0 --log-level=info --max-broadcast-rate=0 --data-dir=:memory: >"$log" 2>&1 &
      pid=$!
      wait_for_log "$log" "listening on 127.0.0.1:[0-9]"
      port="$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log" | head -1)"
      slow_pid=""
      if [[ $with == yes ]]; then
        python3 "$root/scripts/slow-reader.py" "$port" $((seconds + 2)) 20000 --again >"$slow_out" &
        slow_pid=$!
        sleep 0.2 # logged in before the load starts
      fi
      out="$(timeout $((seconds * 3 + 60)) "$bench" --port "$port" --server-pid "$pid" \
        --clients 10 --senders 10 --window 16 --payload 64 --duration "${seconds}s" \
        2>/dev/null | tail -1 || true)"
      [[ -n $slow_pid ]] && wait "$slow_pid" || true
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      slow="-"
      if [[ $with == yes ]]; then
        queued="$(sed -n 's/.*slow consumer peer=[^ ]* queued=\([0-9]*\).*/\1/p' "$log" | tr '\n' ' ')"
        slow="$(wc -l <"$slow_out") connections, $(grep -c 'ERROR "slow consumer"' "$slow_out" || true) cut with ERROR \"slow consumer\" (bytes queued at the cut: ${queued:-none}); the first: $(head -1 "$slow_out")"
      fi
      pressed="$(grep -c "outbound pressure on" "$log" || true)"
      python3 - "$name" "$r" "$with" "$out" "$slow" <<'PY'
import json, sys
name, run, with_slow, text, slow = sys.argv[1:6]
try:
    d = json.loads(text)
except Exception:
    print(f"{name:8} run {run} slow={with_slow:3}: no result")
    sys.exit()
print(f"{name:8} run {run} slow={with_slow:3}: {d.get('deliveries_per_s', 0):>12,.0f} deliveries/s "
      f"{d.get('server_cpu_ns_per_delivery', 0):6.1f} ns/delivery lost {d.get('lost', 0)}"
      + (f"\n    {slow}" if with_slow == "yes" else ""))
PY
    done
  done
done
