#!/usr/bin/env bash
# bench-web.sh BEFORE [REPEATS] [SECONDS] -- every figure issue "Web" asks for, in one run
# (BENCHMARKS.md "The web, in one run"):
#   1. the same fan-out loads over TCP and over the WebSocket gateway (bench-websocket.sh):
#      deliveries/s, server CPU per delivery, p50/p99, alternating run by run;
#   2. what counting for /metrics costs: this build against BEFORE (the chat-server built before
#      the counters, commit d9c2fde; there is no switch to turn counting off), alternating
#      (bench-compare.sh), on the room of 10 and the channel of 100; history in memory in both,
#      so that the disk's noise does not hide the counters' cost.
# Builds chat-server and chat-bench in build/bench-channels (Release) first.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
before="$1" repeats="${2:-3}" seconds="${3:-5}"
build="$root/build/bench-channels"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHAT_EPOLL_TWIN=OFF >/dev/null
cmake --build "$build" --target chat-server chat-bench >/dev/null
server="$build/apps/chat-server/chat-server"

echo "## $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $(git -C "$root" rev-parse --short HEAD)," \
  "load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "### 1. WebSocket against TCP, $repeats alternating runs of ${seconds}s per load"
"$root/scripts/bench-websocket.sh" "$repeats" "$seconds" "$server"
echo
echo "### 2. Metrics: counters (this build) against before (no counters), $repeats alternating runs"
for load in "--clients 10 --senders 10" "--clients 100 --senders 10 --channels 1"; do
  echo "load: $load"
  SERVER_ARGS=--data-dir=:memory: "$root/scripts/bench-compare.sh" "$repeats" "$seconds" "$load" \
    before="$before" counters="$server"
done
echo
echo "## done $(date -u '+%H:%M:%S UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
