#!/usr/bin/env bash
# bench-19k.sh -- one chat-server holds 19,000 logged-in clients and one broadcast reaches all of
# them; prints the time from its send to its last delivery (BENCHMARKS.md "19,000 clients on one
# server"). A process may hold at most 20,000 open files here, so the clients are split over
# PROCS chat-bench processes (--connect-only, source addresses 127.0.0.1..PROCS), and one more
# chat-bench process (one client) sends the single broadcast once every holder is holding.
# Each holder reports, as "watched" and its latency figures, when each of its clients got it
# (kernel receive timestamp minus the stamp's send time, one steady clock for the machine); the
# answer is the max over the holders. Everything is bounded: the holders' --duration, timeouts
# on every wait, and the trap that stops whatever this script started.
# Usage: scripts/bench-19k.sh [BUILD_DIR, default build-perf] [CLIENTS, default 19000] [PROCS, 4]
# Output: BUILD_DIR/bench-19k/{holder-N.json,holder-N.log,sender.json,server.log,summary.txt}
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/wait-for-log.sh
. "$root/scripts/wait-for-log.sh"
build="$root/${1:-build-perf}"
clients="${2:-19000}"
procs="${3:-4}"
hold_s=60 # each holder's --duration: long enough for every other to connect, then the send
out="$build/bench-19k"
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.log "$out"/summary.txt
server_bin="$build/apps/chat-server/chat-server"
bench_bin="$build/apps/chat-bench/chat-bench"
[ -x "$server_bin" ] && [ -x "$bench_bin" ] || {
  echo "build chat-server and chat-bench in $build first" >&2
  exit 2
}
# The server needs a descriptor per client plus its own few; so does nobody else.
ulimit -n 20000 || {
  echo "cannot raise the open-file limit to 20000 (hard limit $(ulimit -Hn))" >&2
  exit 2
}

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

: >"$out/server.log" # before the start: a grep must not find the last run's line
"$server_bin" --port=0 --log-level=warn --max-connections=$((clients + 100)) \
  --data-dir "$out/data" >"$out/server.log" 2>&1 &
server_pid=$!
pids+=("$server_pid")
wait_for_log "$out/server.log" "listening on 127.0.0.1:[0-9]"
port="$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$out/server.log" | head -1)"
[ -n "$port" ] || { echo "chat-server did not start" >&2; cat "$out/server.log" >&2; exit 1; }
rss_before="$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")"

per=$((clients / procs))
started="$(date +%s)"
for i in $(seq 0 $((procs - 1))); do
  n=$per
  [ "$i" = $((procs - 1)) ] && n=$((clients - per * (procs - 1)))
  # Each holder connects at 1000/s, so the four together stay inside the server's accept
  # backlog; names h<i>_<n> keep the processes' users apart.
  timeout $((hold_s + 60)) "$bench_bin" --port "$port" --clients "$n" --connect-only \
    --duration "${hold_s}s" --connect-rate 1000 --source-addresses "$procs" \
    --name-prefix "h${i}_" >"$out/holder-$i.json" 2>"$out/holder-$i.log" &
  pids+=("$!")
done

# Wait until every holder says it is holding all of its clients (bounded).
all_holding() {
  for i in $(seq 0 $((procs - 1))); do
    grep -q "holding" "$out/holder-$i.log" || return 1
  done
}
for _ in $(seq 600); do all_holding && break; sleep 0.1; done
all_holding || { echo "the holders did not all reach holding in 60 s" >&2; exit 1; }
sleep 1 # a progress line or two with the final count
connect_s=$(($(date +%s) - started))
rss_held="$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")"
open_fds="$(ls "/proc/$server_pid/fd" | wc -l)"

# One client, one broadcast; it waits for its own copy (--window 1), then reports.
timeout 60 "$bench_bin" --port "$port" --clients 1 --senders 1 --window 1 --max-broadcasts 1 \
  --warmup 0s --duration 3s --name-prefix s >"$out/sender.json" 2>"$out/sender.log"

# Holders end on their own after --duration; TERM ends them now and they still report.
for pid in "${pids[@]:1}"; do kill -TERM "$pid" 2>/dev/null || true; done
for pid in "${pids[@]:1}"; do wait "$pid" 2>/dev/null || true; done

python3 - "$out" "$procs" "$clients" "$connect_s" "$rss_before" "$rss_held" "$open_fds" \
  <<'EOF' | tee "$out/summary.txt"
import json, sys
out, procs, clients, connect_s, rss_before, rss_held, fds = sys.argv[1:]
holders = [json.loads(open(f"{out}/holder-{i}.json").read().strip().splitlines()[-1])
           for i in range(int(procs))]
logged_in = sum(h["logged_in"] for h in holders)
watched = sum(h["watched"] for h in holders)
closed = sum(h["closed_by_server"] for h in holders)
last_ms = max(h["latency_us"]["max"] for h in holders) / 1000
p50_ms = [h["latency_us"]["p50"] / 1000 for h in holders]
print(f"clients held: {logged_in} of {clients} logged in ({procs} chat-bench processes), "
      f"connect phase {connect_s} s, server open descriptors {fds}")
print(f"server RSS: {rss_before} KiB before, {rss_held} KiB holding "
      f"({(int(rss_held) - int(rss_before)) * 1024 / max(logged_in, 1):.0f} B per client)")
print(f"one broadcast: received by {watched} of {logged_in} held clients, "
      f"closed by server {closed}")
print(f"time from send to last delivery: {last_ms:.1f} ms "
      f"(per-process medians {', '.join(f'{v:.1f}' for v in p50_ms)} ms)")
EOF
