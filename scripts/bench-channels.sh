#!/usr/bin/env bash
# bench-channels.sh -- BENCHMARKS.md "Channels": what many channels cost per delivery against one
# room, in one run. Same chat-bench, a fresh server per run, 64-byte payloads, --window 16:
#   v1 (everyone in lobby) against the build before channels (BASELINE, a chat-server binary),
#   against this build, and against trivial-relay (chat-bench's own ceiling);
#   v2 channels: 100 clients in 1 channel, 100 in 10 channels of 10, 1,000 in 100 of 10,
#   with 1 and 10 senders per channel; and a direct-message load.
# Usage: scripts/bench-channels.sh [SECONDS per run, default 5]  (BASELINE=path/to/chat-server)
# Results: build/bench-results/channels/NAME.json (chat-bench's JSON) and NAME.txt (its stderr).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/wait-for-log.sh
. "$root/scripts/wait-for-log.sh"
seconds="${1:-5}"
build="$root/build/bench-channels"
out="$root/build/bench-results/channels"
mkdir -p "$out"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHAT_EPOLL_TWIN=OFF >/dev/null
cmake --build "$build" --target chat-server chat-bench trivial-relay >/dev/null
bench="$build/apps/chat-bench/chat-bench"
server="$build/apps/chat-server/chat-server"
relay="$build/tests/bench/trivial-relay"

# run NAME KIND CHAT-BENCH-ARGS...: KIND is ours, baseline or trivial.
run() {
  local name="$1" kind="$2"
  shift 2
  local log="$out/$name.server.log" pid port
  : >"$log" # before the start: a grep must not find the last run's line
  case "$kind" in
  ours)
    rm -rf "$out/$name.data" # every run starts with no history
    "$server" --port=0 --log-level=warn --max-broadcast-rate=0 --data-dir "$out/$name.data" \
      >"$log" 2>&1 &
    ;;
  baseline) "$BASELINE" --port=0 --log-level=warn --max-broadcast-rate=0 >"$log" 2>&1 & ;;
  trivial) "$relay" --port 0 >"$log" 2>&1 & ;;
  esac
  pid=$!
  wait_for_log "$log" "listening on 127.0.0.1:[0-9]"
  port="$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log" | head -1)"
  echo "== $name ($kind, load $(cut -d' ' -f1 /proc/loadavg)): chat-bench $*" >&2
  timeout $((seconds * 3 + 60)) "$bench" --port "$port" --server-pid "$pid" \
    --duration "${seconds}s" --window 16 --payload 64 "$@" >"$out/$name.json" 2>"$out/$name.txt" || true
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

date -u
for kind in trivial ${BASELINE:+baseline} ours; do
  # one room of 10 and of 100: the fan-out of one channel of 10 and of 100, in version 1
  run "v1-10-s1-$kind" "$kind" --clients 10 --senders 1
  run "v1-10-s10-$kind" "$kind" --clients 10 --senders 10
  run "v1-100-s1-$kind" "$kind" --clients 100 --senders 1
  run "v1-100-s10-$kind" "$kind" --clients 100 --senders 10
  run "v1-1000-s10-$kind" "$kind" --clients 1000 --senders 10
done
run ch1x100-s1 ours --clients 100 --channels 1 --senders 1
run ch1x100-s10 ours --clients 100 --channels 1 --senders 10
run ch10x10-s1 ours --clients 100 --channels 10 --senders 10
run ch10x10-s10 ours --clients 100 --channels 10 --senders 100
run ch100x10-s1 ours --clients 1000 --channels 100 --senders 100
run ch100x10-s10 ours --clients 1000 --channels 100 --senders 1000
run dm-100-s10 ours --clients 100 --direct --senders 10
date -u
# One line per run: name, deliveries/s, server ns/delivery, p50/p99 µs, lost.
for f in "$out"/*.json; do
  python3 - "$f" <<'PY'
import json, sys, os
name = os.path.basename(sys.argv[1])[:-5]
try:
    d = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
except Exception as e:
    print(f"{name}: no result ({e})"); sys.exit()
lat = d.get("latency_us", {})
print(f"{name:22} {d.get('deliveries_per_s', 0):>12,.0f}/s  {d.get('server_cpu_ns_per_delivery', 0):8.1f} ns  "
      f"p50 {lat.get('p50', 0):9.1f} p99 {lat.get('p99', 0):10.1f} us  lost {d.get('lost', 0)}  "
      f"bench_cpu {d.get('bench_cpu_s', 0):.2f}s")
PY
done
