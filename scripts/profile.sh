#!/usr/bin/env bash
# profile.sh -- where chat-server's CPU goes under chat-bench's load: the profile behind
# BENCHMARKS.md "Where the time goes". For each scenario it runs the server twice:
#   count run:   perf stat of system calls and io_uring submissions over the measured interval,
#                so that calls per delivery can be compared with the bench's delivery count,
#                and each thread's exact run time (schedstat, scripts/thread_times.py): the
#                sampled profile under-counted the CAF workers, which wake by timer;
#   profile run: perf record (cpu-clock, DWARF call graphs: neither our Release build nor
#                Debian's libcaf keeps frame pointers) over the measured interval.
# Every run is bounded (chat-bench --duration, perf ... -- sleep, timeout). Root, or
# kernel.perf_event_paranoid <= -1 (set here when root).
# Usage: scripts/profile.sh [BUILD_DIR, default build-perf] [SECONDS, default 10] [SCENARIOS]
#   SCENARIOS: any of fanout1 fanout10 rated1000 (default all three), and peer-fanout1 for the
#   same 1-sender load on the peer (the Boost.Asio chat example, as scripts/benchmarks.sh builds it)
# Output: BUILD_DIR/profile/<scenario>.{perf.data,stat.txt,threads.txt,report-*.txt,buckets.txt,
#   bench*.json}
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/wait-for-log.sh
. "$root/scripts/wait-for-log.sh"
build="$root/${1:-build-perf}"
seconds="${2:-10}"
scenarios="${3:-fanout1 fanout10 rated1000}"
out="$build/profile"
mkdir -p "$out"
server_bin="$build/apps/chat-server/chat-server"
bench_bin="$build/apps/chat-bench/chat-bench"
[ -x "$server_bin" ] && [ -x "$bench_bin" ] || {
  echo "build chat-server and chat-bench in $build first" >&2
  exit 2
}
if [ "$(id -u)" = 0 ]; then
  echo -1 >/proc/sys/kernel/perf_event_paranoid
  echo 0 >/proc/sys/kernel/kptr_restrict # kernel symbols in the report
fi
# The count run's events: every call that moves bytes or waits, on either Asio backend.
events=io_uring:io_uring_submit_req
for call in io_uring_enter epoll_wait epoll_pwait sendmsg sendto write writev recvmsg recvfrom \
  read readv futex ioctl; do
  events="$events,syscalls:sys_enter_$call"
done
window=$((seconds - 4))
peer_src=/usr/share/doc/libboost1.81-doc/examples/libs/asio/example/cpp11/chat/chat_server.cpp
peer_bin="$build/bench-peer/asio_chat_server"
if [[ "$scenarios" == *peer-* ]] && [ ! -x "$peer_bin" ]; then
  mkdir -p "$(dirname "$peer_bin")"
  g++ -std=c++17 -O2 -o "$peer_bin" "$peer_src" -pthread
fi # perf's window: inside the measured interval (connect + 1 s warm-up)

server_pid=""
stop_server() {
  [ -n "$server_pid" ] || return 0
  # TERM, not INT: a background job of a non-interactive shell ignores SIGINT (the peer has
  # no handler of its own); chat-server shuts down gracefully on either.
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
trap stop_server EXIT

start_server() {
  local log="$out/$1.server.log"
  if [ "${1#peer-}" != "$1" ]; then
    port=$((20000 + RANDOM % 20000))
    : >"$log" # before the start: a grep must not find the last run's line
    "$peer_bin" "$port" >"$log" 2>&1 &
    server_pid=$!
    sleep 0.3
    return
  fi
  rm -rf "$log.data" # every run starts with no history
  : >"$log" # before the start: a grep must not find the last run's line
  "$server_bin" --port=0 --log-level=warn --max-broadcast-rate=0 --data-dir "$log.data" \
    >"$log" 2>&1 &
  server_pid=$!
  wait_for_log "$log" "listening on 127.0.0.1:[0-9]"
  port="$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log" | head -1)"
}

# One line per server thread: TID, name, nanoseconds it ran (schedstat), voluntary context
# switches; after a first line with the time. scripts/thread_times.py compares two of them.
thread_snapshot() {
  echo "# at $(date +%s%N)"
  local t
  for t in /proc/"$server_pid"/task/*; do
    echo "${t##*/} $(tr ' ' _ <"$t/comm") $(cut -d' ' -f1 "$t/schedstat")" \
      "$(awk '/^voluntary_ctxt_switches/ {print $2}' "$t/status")"
  done 2>/dev/null # a thread that ends meanwhile is skipped
}

# bench NAME JSON-FILE CHAT-BENCH-ARGS...: chat-bench in the background against the server.
bench() {
  local json="$2"
  shift 2
  timeout $((seconds + 40)) "$bench_bin" --port "$port" --server-pid "$server_pid" \
    --duration "${seconds}s" "$@" >"$json" 2>/dev/null &
  bench_pid=$!
}

run() {
  local name="$1"
  shift
  echo "== $name: chat-bench $*" >&2
  # Count run.
  start_server "$name"
  bench "$name" "$out/$name.bench-count.json" "$@"
  sleep 2
  thread_snapshot >"$out/$name.threads-start.txt"
  perf stat -x, -e "$events" -p "$server_pid" -o "$out/$name.stat.txt" -- sleep "$window"
  thread_snapshot >"$out/$name.threads-end.txt"
  # Which io_uring operations the submissions were (opcode field), for one second.
  perf record -q -e io_uring:io_uring_submit_req -p "$server_pid" -o "$out/$name.uring.data" \
    -- sleep 1 2>/dev/null
  wait "$bench_pid" || true
  stop_server
  python3 "$root/scripts/thread_times.py" "$out/$name.threads-start.txt" \
    "$out/$name.threads-end.txt" "$out/$name.bench-count.json" >"$out/$name.threads.txt"
  # Profile run.
  start_server "$name"
  bench "$name" "$out/$name.bench-profile.json" "$@"
  sleep 2
  perf record -q -F 499 --call-graph dwarf,16384 -p "$server_pid" -o "$out/$name.perf.data" \
    -- sleep "$window" 2>/dev/null
  wait "$bench_pid" || true
  stop_server
  perf report -i "$out/$name.perf.data" --no-children --sort dso,symbol --stdio \
    --percent-limit 0.5 -g none >"$out/$name.report-self.txt" 2>/dev/null
  perf report -i "$out/$name.perf.data" --children --sort symbol --stdio \
    --percent-limit 2 -g none >"$out/$name.report-children.txt" 2>/dev/null
  perf report -i "$out/$name.perf.data" --no-children --sort comm --stdio -g none \
    >"$out/$name.report-threads.txt" 2>/dev/null
  perf script -i "$out/$name.perf.data" -F comm,tid,ip,sym,dso 2>/dev/null |
    python3 "$root/scripts/profile_buckets.py" >"$out/$name.buckets.txt"
  perf script -i "$out/$name.uring.data" -F trace 2>/dev/null |
    grep -o 'opcode [A-Z_]*' | sort | uniq -c >"$out/$name.uring-ops.txt" || true
  echo "   $(cat "$out/$name.bench-count.json")" >&2
  cat "$out/$name.threads.txt" >&2
}

for scenario in $scenarios; do
  case "$scenario" in
  fanout1) run fanout1 --clients 100 --senders 1 --window 16 --payload 64 ;;
  fanout10) run fanout10 --clients 100 --senders 10 --window 16 --payload 64 ;;
  rated1000) run rated1000 --clients 1000 --senders 10 --rate 10 --payload 64 ;;
  peer-fanout1)
    run peer-fanout1 --framing asio-example --clients 100 --senders 1 --window 16 --payload 64
    ;;
  *) echo "unknown scenario $scenario" >&2 ;;
  esac
done
echo "results in $out" >&2
