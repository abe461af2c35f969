#!/usr/bin/env bash
# bench-history.sh OFF [SECONDS] [REPEATS] [NAME=SERVER...] -- every figure issue "History" asks
# for, in one run
# (BENCHMARKS.md "History, in one run"):
#   1. fan-out with history on disk, in memory, and off (OFF: the chat-server built before history,
#      as PATH or PATH,CHAT-BENCH for its own chat-bench), three loads, alternating runs; each
#      NAME=SERVER (another build, e.g. the one before a change) joins these runs, on disk too;
#   2. the slow reader (20 KB/s) among ten full-speed senders, against the run without it;
#   3. time to recover 10,000 messages (a JOIN asking for the last 10,000);
#   4. store writes per second and reopening 1,000,000 stored messages (store_benchmark);
#   5. chat-server's restart with 1,000,000 messages stored: time to "listening on".
# Uses the Release build in build/bench-channels (configure it first: scripts/benchmarks.sh does).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/wait-for-log.sh
. "$root/scripts/wait-for-log.sh"
off="$1" seconds="${2:-5}" repeats="${3:-3}"
shift $(($# < 3 ? $# : 3))
build="${BUILD:-$root/build/bench-channels}"
server="$build/apps/chat-server/chat-server"
bench="$build/apps/chat-bench/chat-bench"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# chat-server with history on disk in a fresh directory, and in memory only.
printf '#!/bin/sh\nexec "%s" --data-dir="$(mktemp -d -p %s)" "$@"\n' "$server" "$work" >"$work/disk"
printf '#!/bin/sh\nexec "%s" --data-dir=:memory: "$@"\n' "$server" >"$work/memory"
chmod +x "$work/disk" "$work/memory"
others=()
for named in "$@"; do
  printf '#!/bin/sh\nexec "%s" --data-dir="$(mktemp -d -p %s)" "$@"\n' "${named#*=}" "$work" \
    >"$work/${named%%=*}"
  chmod +x "$work/${named%%=*}"
  others+=("${named%%=*}=$work/${named%%=*}")
done

echo "## $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $(git -C "$root" rev-parse --short HEAD)"
echo
echo "### 1. Fan-out, history on (disk, memory) and off, $repeats alternating runs of ${seconds}s"
for load in "--clients 10 --senders 10" "--clients 100 --senders 10 --channels 1" \
  "--clients 1000 --channels 100 --senders 100"; do
  echo "load: $load"
  "$root/scripts/bench-compare.sh" "$repeats" "$seconds" "$load" off="$off" \
    disk="$work/disk" memory="$work/memory" "${others[@]}" | tee "$work/runs"
  python3 - "$work/runs" <<'PY'
import collections, re, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    m = re.match(r"(\S+)\s+run \d+:\s+([\d.]+) ns/delivery\s+([\d,]+)/s", line)
    if m:
        runs[m[1]].append((float(m[2]), float(m[3].replace(",", ""))))
base = runs.get("off")
for name, r in runs.items():
    ns = sum(x[0] for x in r) / len(r)
    rate = sum(x[1] for x in r) / len(r)
    ratio = f", {rate / (sum(x[1] for x in base) / len(base)):.2f} of off" if base and name != "off" else ""
    print(f"  mean {name:7}: {rate:>12,.0f} deliveries/s, {ns:7.1f} ns server CPU/delivery{ratio}")
PY
done

echo
echo "### 2. A 20 KB/s reader among ten full-speed senders ($repeats runs of 8 s each way)"
"$root/scripts/bench-slow-reader.sh" "$repeats" 8 ours="$server"

echo
echo "### 3. Time to recover 10,000 messages (3 runs each)"
for kind in disk memory; do
  for r in 1 2 3; do
    : >"$work/log" # before the start: a grep must not find the last run's line
    "$work/$kind" --port=0 --max-broadcast-rate=0 >"$work/log" 2>&1 &
    pid=$!
    wait_for_log "$work/log" "listening on 127.0.0.1:[0-9]"
    port="$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/log" | head -1)"
    echo "$kind run $r: $(python3 "$root/scripts/bench-recover.py" "$port" 10000)"
    kill -TERM "$pid"
    wait "$pid" || true
  done
done

echo
echo "### 4. The store alone (store_benchmark)"
"$build/tests/benchmarks/store_benchmark" --benchmark_min_time=1 2>/dev/null |
  grep -E "^BM_" || echo "store_benchmark not built (needs BUILD_TESTING)"

echo
echo "### 5. Restart with 1,000,000 messages stored"
data="$work/million"
# 100 channels of 10 members, one sender each, until each channel holds its 10,000 (retention).
: >"$work/log" # before the start: a grep must not find the last run's line
"$server" --port=0 --max-broadcast-rate=0 --data-dir="$data" >"$work/log" 2>&1 &
pid=$!
wait_for_log "$work/log" "listening on 127.0.0.1:[0-9]"
port="$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/log" | head -1)"
timeout 120 "$bench" --port "$port" --clients 1000 --channels 100 --senders 100 --duration 25s \
  --window 16 --payload 64 >/dev/null 2>&1 || true
kill -TERM "$pid"
wait "$pid" || true
grep -o "closed cleanly.*" "$work/log" || true
du -sh "$data/history.mdb"
for r in 1 2 3; do
  start="$(date +%s%N)"
  : >"$work/log" # before the start: a grep must not find the last run's line
  "$server" --port=0 --data-dir="$data" >"$work/log" 2>&1 &
  pid=$!
  for _ in $(seq 10000); do grep -q "listening on" "$work/log" && break; sleep 0.001; done
  ready="$(date +%s%N)"
  echo "restart $r: $(((ready - start) / 1000000)) ms to \"listening on\"; $(grep -o '[0-9]* messages stored' "$work/log")"
  kill -TERM "$pid"
  wait "$pid" || true
done
