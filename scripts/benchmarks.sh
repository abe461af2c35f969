#!/usr/bin/env bash
# benchmarks.sh -- reproduces every figure in BENCHMARKS.md in one run on this machine: our server
# on both Asio backends and the classic Boost.Asio chat example (the peer, built from Debian's
# libboost1.81-doc, never copied into this repository), all driven by the same chat-bench, plus
# the Google Benchmark micro-benchmarks. Kind "trivial" is tests/bench/trivial-relay, the
# cheapest server for the protocol: what chat-bench sustains against it is chat-bench's own
# ceiling on this machine. Results: build/bench-results/ (one JSON line per run).
# Usage: scripts/benchmarks.sh [SECONDS per run, default 10] [KINDS, default
#        "trivial io_uring epoll peer"]
# One Release build holds both backends (chat-server, chat-server-epoll), as in test.sh:
# build/bench, or BENCH_BUILD=DIR to measure an existing Release build (e.g. build/test-main).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/wait-for-log.sh
. "$root/scripts/wait-for-log.sh"
seconds="${1:-10}"
kinds="${2:-trivial io_uring epoll peer}"
source "$root/scripts/install-deps.sh"
install_missing_packages libboost1.81-doc
out="$root/build/bench-results"
mkdir -p "$out"
jobs="$(nproc)"

build="${BENCH_BUILD:-$root/build/bench}"
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_UNITY_BUILD=ON >/dev/null
fi
if ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$build/CMakeCache.txt"; then
  echo "$build is not a Release build: benchmarks measure Release only" >&2
  exit 2
fi
cmake --build "$build" -j"$jobs" --target chat-server chat-server-epoll chat-bench trivial-relay \
  codec_benchmark fanout_benchmark >/dev/null
declare -A server_of=(
  [io_uring]="$build/apps/chat-server/chat-server"
  [epoll]="$build/apps/chat-server/chat-server-epoll"
)
peer_src=/usr/share/doc/libboost1.81-doc/examples/libs/asio/example/cpp11/chat/chat_server.cpp
peer="$root/build/bench-peer/asio_chat_server"
mkdir -p "$(dirname "$peer")"
[ -x "$peer" ] || g++ -std=c++17 -O2 -o "$peer" "$peer_src" -pthread
bench="$build/apps/chat-bench/chat-bench"

# run NAME SERVER-KIND CHAT-BENCH-ARGS...: one server, one chat-bench run, one JSON line.
run() {
  local name="$1" kind="$2"
  shift 2
  local log="$out/$name.server.log" port_file="$out/$name.port" pid
  if [ "$kind" = peer ]; then
    local port
    for _ in 1 2 3 4 5; do # the peer takes a port number: try again if that one was taken
      port=$((20000 + RANDOM % 20000))
      : >"$log" # before the start: a grep must not find the last run's line
      "$peer" "$port" >"$log" 2>&1 &
      pid=$!
      sleep 0.3
      kill -0 "$pid" 2>/dev/null && break
    done
    echo "$port" >"$port_file"
    set -- --framing asio-example "$@"
  else
    if [ "$kind" = trivial ]; then
      : >"$log" # before the start: a grep must not find the last run's line
      "$build/tests/bench/trivial-relay" --port 0 >"$log" 2>&1 &
    else
      rm -rf "$log.data" # every run starts with no history
      : >"$log" # before the start: a grep must not find the last run's line
      "${server_of[$kind]}" --port=0 --log-level=warn \
        --max-broadcast-rate=0 --data-dir "$log.data" >"$log" 2>&1 &
    fi
    pid=$!
    wait_for_log "$log" "listening on 127.0.0.1:[0-9]"
    sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log" | head -1 >"$port_file"
  fi
  local port
  port="$(cat "$port_file")"
  echo "== $name ($kind): chat-bench --port $port $*" >&2
  timeout $((seconds * 3 + 60)) "$bench" --port "$port" --server-pid "$pid" --duration "${seconds}s" \
    "$@" 2>/dev/null | tail -1 | tee "$out/$name.json" || true
  # TERM, not INT: a background job of a script starts with SIGINT ignored, and the peer has no
  # handler of its own, so INT would leave it running and the wait below would never return.
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

for kind in $kinds; do
  run "fanout1-$kind" "$kind" --clients 100 --senders 1 --window 16 --payload 64
  run "fanout10-$kind" "$kind" --clients 100 --senders 10 --window 16 --payload 64
  run "rated1000-$kind" "$kind" --clients 1000 --senders 10 --rate 10 --payload 64
  run "idle10000-$kind" "$kind" --clients 10000 --connect-only --connect-rate 5000
done

"$build/tests/benchmarks/codec_benchmark" --benchmark_min_time=0.5 \
  | tee "$out/codec_benchmark.txt"
"$build/tests/benchmarks/fanout_benchmark" | tee "$out/fanout_benchmark.txt"
echo "results in $out"
