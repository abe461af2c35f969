#!/usr/bin/env bash
# bench-udp-tcp.sh -- one chat-bench load over TCP and over UDP against the same chat-server
# binary, alternating tcp, udp, tcp, udp ... and repeated (bench-compare.sh), so that run-to-run
# noise shows and neither transport gets the quiet minute (BENCHMARKS.md, "UDP against TCP, in one
# run"). A fresh server per run, with --udp-port=0 for both: the bench uses its TCP port for tcp
# and its UDP port for udp.
# Usage: scripts/bench-udp-tcp.sh REPEATS SECONDS "LOAD ARGS" [path/to/chat-server]
#   e.g. scripts/bench-udp-tcp.sh 3 5 "--clients 100 --senders 1"
# Prints one line per run: transport, server ns/delivery, deliveries/s, p50/p99, loss; with
# JSON_OUT=file, appends each run's report to that file, prefixed by its transport.
# BENCH: the chat-bench (default build/rel's); SERVER_ARGS: more server arguments (default
# --data-dir=:memory:).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
server="${4:-$root/build/rel/apps/chat-server/chat-server}"
BENCH="${BENCH:-$root/build/rel/apps/chat-bench/chat-bench}" \
  SERVER_ARGS="--udp-port=0 ${SERVER_ARGS:---data-dir=:memory:}" \
  exec "$root/scripts/bench-compare.sh" "$1" "$2" "$3" tcp="$server" udp:udp="$server"
