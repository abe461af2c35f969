#!/usr/bin/env bash
# bench-large.sh -- what a large multi-part message costs while chat goes on (issue 14): the same
# rated chat load without and with chat-bench --large-message, alternating run by run and
# repeated, each run against a fresh chat-server, so that noise shows and neither kind gets the
# quiet minute. Prints one line per run (with /proc/loadavg before and after it), then the means
# and what the large messages added. The JSON reports are kept in OUT (one file per run).
# Usage: scripts/bench-large.sh REPEATS SECONDS "LOAD ARGS" [BYTES [EVERY]]
#   e.g. scripts/bench-large.sh 3 10 "--clients 100 --channels 1 --senders 10 --rate 100" \
#          1048576 1s
# The load must be rated (--rate): the normal chat is then the same in both kinds of run, and
# the difference in server CPU is the large messages'. BYTES defaults to 1048576, EVERY to 1s.
# SERVER, BENCH: the binaries (default build/rel/apps/chat-server/chat-server and
# build/rel/apps/chat-bench/chat-bench). SERVER_ARGS: the server's arguments after --port=0
# --log-level=warn --max-broadcast-rate=0 (default --data-dir=:memory: --max-message=1049600:
# a MSG of 1 MiB of text is delivered in 24 bytes more than 1 MiB, the default --max-message).
# OUT: where the reports go (default build/bench-results/large).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/wait-for-log.sh
. "$root/scripts/wait-for-log.sh"
repeats="$1" seconds="$2" load="$3" bytes="${4:-1048576}" every="${5:-1s}"
server="${SERVER:-$root/build/rel/apps/chat-server/chat-server}"
bench="${BENCH:-$root/build/rel/apps/chat-bench/chat-bench}"
server_args="${SERVER_ARGS:---data-dir=:memory: --max-message=1049600}"
out="${OUT:-$root/build/bench-results/large}"
mkdir -p "$out"
log="$(mktemp)"
trap 'rm -f "$log" "$log.bench"' EXIT
echo "# $(date -u '+%F %T') UTC, $(git -C "$root" rev-parse --short HEAD), load: $load," \
  "large: $bytes bytes every $every, server: $server_args"
for r in $(seq "$repeats"); do
  for kind in chat large; do
    extra=()
    [ "$kind" = large ] && extra=(--large-message "$bytes" --large-every "$every")
    : >"$log"
    # shellcheck disable=SC2086 # lists of arguments
    "$server" --port=0 --log-level=warn --max-broadcast-rate=0 $server_args >"$log" 2>&1 &
    pid=$!
    wait_for_log "$log" "listening on 127.0.0.1:[0-9]"
    port="$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log" | head -1)"
    before="$(cut -d' ' -f1-3 /proc/loadavg)"
    # shellcheck disable=SC2086
    timeout $((seconds * 3 + 60)) "$bench" --port "$port" --server-pid "$pid" \
      --duration "${seconds}s" $load "${extra[@]}" >"$out/$kind-$r.json" 2>"$log.bench" || true
    after="$(cut -d' ' -f1-3 /proc/loadavg)"
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    python3 - "$kind" "$r" "$out/$kind-$r.json" "$before" "$after" "$(tail -3 "$log.bench")" <<'PY'
import json, sys
kind, run, path, before, after, said = sys.argv[1:7]
try:
    d = json.loads(open(path).read().strip().splitlines()[-1])
except Exception:
    print(f"{kind:5} run {run}: no result; chat-bench said {said!r}")
    sys.exit()
lat = d["latency_us"]
line = (f"{kind:5} run {run}: load {before} -> {after}  chat {d['deliveries_per_s']:>9,}/s "
        f"p50 {lat['p50']:7.1f} p99 {lat['p99']:8.1f} us lost {d['lost']}  server "
        f"{d['server_cpu_s']:.2f} s, {d['server_cpu_ns_per_delivery']:.0f} ns/delivery")
if "large" in d:
    g = d["large"]
    line += (f"  large {g['sent']} sent, {g['delivered']}/{g['expected']} delivered, lost "
             f"{g['lost']}, corrupt {g['corrupt']}, latency p50 {g['latency_us']['p50'] / 1e3:.1f}"
             f" p99 {g['latency_us']['p99'] / 1e3:.1f} ms, to all p50 "
             f"{g['to_all_us']['p50'] / 1e3:.1f} p99 {g['to_all_us']['p99'] / 1e3:.1f} ms")
print(line, flush=True)
PY
  done
done
python3 - "$out" "$repeats" <<'PY'
import json, statistics, sys
out, repeats = sys.argv[1], int(sys.argv[2])
def runs(kind):
    got = []
    for r in range(1, repeats + 1):
        try:
            got.append(json.loads(open(f"{out}/{kind}-{r}.json").read().strip().splitlines()[-1]))
        except Exception:
            pass
    return got
chat, large = runs("chat"), runs("large")
if not chat or not large:
    sys.exit("no pairs of results")
mean = lambda xs: statistics.mean(xs) if xs else float("nan")
for name, rs in (("chat", chat), ("large", large)):
    print(f"mean {name:5}: {mean([d['deliveries_per_s'] for d in rs]):,.0f} deliveries/s, "
          f"p50 {mean([d['latency_us']['p50'] for d in rs]):.1f} us, "
          f"p99 {mean([d['latency_us']['p99'] for d in rs]):.1f} us, "
          f"{mean([d['server_cpu_ns_per_delivery'] for d in rs]):.0f} ns/delivery, "
          f"server {mean([d['server_cpu_s'] for d in rs]):.3f} s")
sent = sum(d["large"]["sent"] for d in large)
extra = mean([d["server_cpu_s"] for d in large]) - mean([d["server_cpu_s"] for d in chat])
g = [d["large"] for d in large]
print(f"large: {sent} sent over {len(large)} runs, delivered {sum(x['delivered'] for x in g)} of "
      f"{sum(x['expected'] for x in g)}, corrupt {sum(x['corrupt'] for x in g)}; server CPU per "
      f"large message {extra / (sent / len(large)) * 1e3:.2f} ms (difference of the means / "
      f"large messages per run); bytes to the clients per large message "
      f"{sum(x['part_bytes_in'] for x in g) / sent:,.0f}")
PY
