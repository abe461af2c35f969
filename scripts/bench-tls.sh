#!/usr/bin/env bash
# bench-tls.sh [REPEATS] [SECONDS] -- what TLS on the protocol port costs, in one run:
#   1. fan-out: bench-web.sh's three loads (a room of 10, a channel of 100, 100 channels of 10;
#      the same chat-bench arguments) over plain TCP and over TLS (chat-bench --tls), alternating
#      run by run, a fresh chat-server per run: deliveries/s, server CPU per delivery, p50/p99;
#   2. handshakes: CONNECTIONS clients (default 2000) connecting at once to a fresh server, with
#      TLS and plain (the baseline), alternating: clients ready per second, TLS handshakes per
#      second, and the server's CPU per client over the connect phase (accept, handshake, login);
#      TLS minus plain is what the handshake itself costs the server.
# REPEATS runs of each (default 3), fan-out runs of SECONDS measured (default 5).
# Builds chat-server and chat-bench in build/bench-channels (Release) as bench-web.sh does, makes
# development certificates in a temporary directory (scripts/dev-cluster-ca.sh), and connects to
# 127.0.0.1 only. chat-bench does not verify the server (no --tls-ca): a full handshake all the
# same, without the chain check, which is the client's cost, not the server's.
# Prints Markdown (the date, the commands, the loads, two tables); each run's JSON report and
# stderr are kept in build/bench-results/tls/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/wait-for-log.sh
. "$root/scripts/wait-for-log.sh"
repeats="${1:-3}" seconds="${2:-5}" connections="${CONNECTIONS:-2000}"
case "$repeats$seconds$connections" in *[!0-9]*) echo "usage: $0 [REPEATS] [SECONDS]" >&2; exit 2 ;; esac
if [ "$repeats" -lt 1 ] || [ "$repeats" -gt 20 ] || [ "$seconds" -lt 1 ] || [ "$seconds" -gt 600 ]; then
  echo "$0: REPEATS must be 1-20 and SECONDS 1-600" >&2
  exit 2
fi
# One chat-bench process holds every connection, and the server as many: both must stay within
# their open-file limit (20,000 here) and the server's --max-connections (10,000 by default).
files="$(ulimit -n)"
[ "$files" = unlimited ] && files=1000000
if [ "$connections" -lt 1 ] || [ "$connections" -gt 9000 ] || [ "$files" -lt $((connections + 200)) ]; then
  echo "$0: CONNECTIONS must be 1-9000 and below the open-file limit ($files) by 200" >&2
  exit 2
fi
build="$root/build/bench-channels"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHAT_EPOLL_TWIN=OFF >/dev/null
cmake --build "$build" --target chat-server chat-bench >/dev/null
server="$build/apps/chat-server/chat-server"
bench="$build/apps/chat-bench/chat-bench"
out="$root/build/bench-results/tls"
rm -rf "$out"
mkdir -p "$out"
certs="$(mktemp -d)"
trap 'rm -rf "$certs"' EXIT
"$root/scripts/dev-cluster-ca.sh" "$certs" server >/dev/null

server_args=(--port=0 --log-level=warn --max-broadcast-rate=0 --data-dir=:memory:)
tls_server_args=(--tls-cert="$certs/server.pem" --tls-key="$certs/server.key")
fan_args=(--window 16 --payload 64)
loads=("--clients 10 --senders 10" "--clients 100 --senders 10 --channels 1"
  "--clients 1000 --channels 100 --senders 100")
handshake_args=(--connect-only --clients "$connections" --connect-rate 100000 --duration 1s)

# run NAME MODE LIMIT CHAT-BENCH-ARGS...: a fresh server (MODE plain or tls), chat-bench against
# it for at most LIMIT seconds; its report goes to $out/NAME.json, its stderr to NAME.txt.
run() {
  local name="$1" mode="$2" limit="$3" pid port log="$out/$1.server.log" tls=()
  shift 3
  [ "$mode" = tls ] && tls=(--tls)
  : >"$log" # before the start: a grep must not find the last run's line
  if [ "$mode" = tls ]; then
    "$server" "${server_args[@]}" "${tls_server_args[@]}" >"$log" 2>&1 &
  else
    "$server" "${server_args[@]}" >"$log" 2>&1 &
  fi
  pid=$!
  wait_for_log "$log" "listening on 127.0.0.1:[0-9]"
  port="$(sed -n 's/^chat-server listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log" | head -1)"
  echo "== $name (load $(cut -d' ' -f1 /proc/loadavg)): chat-bench ${tls[*]} $*" >&2
  timeout "$limit" "$bench" --port "${port:-1}" --server-pid "$pid" "${tls[@]}" "$@" \
    >"$out/$name.json" 2>"$out/$name.txt" || true
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

started="$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
start_load="$(cut -d' ' -f1-3 /proc/loadavg)"
for i in "${!loads[@]}"; do
  for r in $(seq "$repeats"); do
    for mode in plain tls; do
      # shellcheck disable=SC2086 # the load is a list of arguments
      run "fan$i-$mode-$r" "$mode" $((seconds * 3 + 60)) --duration "${seconds}s" \
        "${fan_args[@]}" ${loads[$i]}
    done
  done
done
for r in $(seq "$repeats"); do
  for mode in plain tls; do
    run "handshake-$mode-$r" "$mode" 60 "${handshake_args[@]}"
  done
done

/usr/bin/python3 - "$out" "$repeats" "$started" "$start_load" "$(git -C "$root" rev-parse --short HEAD)" \
  "$seconds" "$connections" "${fan_args[*]}" "${handshake_args[*]}" "${server_args[*]}" "${loads[@]}" <<'PY'
import json, os, sys
out, repeats, started, load, commit, seconds, connections, fan_args, hs_args, srv_args = sys.argv[1:11]
loads = sys.argv[11:]
repeats = int(repeats)
names = ["room of 10 (v1 `lobby`), 10 senders", "1 channel of 100, 10 senders",
         "100 channels of 10, 1 sender each"]

def report(name):
    try:
        return json.loads(open(os.path.join(out, name + ".json")).read().strip().splitlines()[-1])
    except Exception:
        return None

def rate(x):
    return f"{x / 1e6:.2f} M" if x >= 1e6 else f"{x / 1e3:.0f} k" if x >= 1e4 else f"{x:,.0f}"

def cell(values, fmt):  # "**mean** (run / run / run)", or why not
    got = [v for v in values if v is not None]
    if not got:
        return "no result"
    runs = " / ".join(fmt(v) if v is not None else "-" for v in values)
    return f"**{fmt(sum(got) / len(got))}** ({runs})"

def latency(values):  # µs from the report: "610 µs", "1.2–1.4 ms"
    got = [v for v in values if v is not None]
    if not got:
        return "-"
    lo, hi = min(got), max(got)
    scale, unit, digits = (1e3, "ms", 1) if hi >= 1000 else (1, "µs", 0)
    text = [f"{v / scale:.{digits}f}" for v in (lo, hi)]
    return f"{text[0]} {unit}" if text[0] == text[1] else f"{text[0]}–{text[1]} {unit}"

def mean(values):
    got = [v for v in values if v is not None]
    return sum(got) / len(got) if got else None

def pick(d, *path):
    for key in path:
        if not isinstance(d, dict) or d.get(key) is None:
            return None
        d = d[key]
    return d

print(f"## TLS on the protocol port, {started}, commit {commit}, load {load}\n")
print(f"```sh\n./scripts/bench-tls.sh {repeats} {seconds}   # REPEATS SECONDS; CONNECTIONS={connections}\n```\n")
print(f"Each run has a fresh `chat-server {srv_args}`; TLS runs add "
      "`--tls-cert=DIR/server.pem --tls-key=DIR/server.key` (scripts/dev-cluster-ca.sh: EC P-256) "
      "and chat-bench `--tls`, which does not verify the server. Plain and TLS alternate run by "
      "run. Cells: the mean, then the runs.\n")
plural = "run" if repeats == 1 else "runs"
print(f"**1. Fan-out**, {repeats} {plural} of {seconds} s per load and transport: "
      f"`chat-bench --port PORT --server-pid PID [--tls] --duration {seconds}s {fan_args} LOAD`.\n")
print("| load | transport | deliveries/s | server CPU ns/delivery | p50 latency | p99 latency | lost, dup, reordered |")
print("|---|---|---|---|---|---|---|")
problems = []
for i, load in enumerate(loads):
    ns_mean = {}
    for mode in ("plain", "tls"):
        runs = [report(f"fan{i}-{mode}-{r}") for r in range(1, repeats + 1)]
        for r, d in enumerate(runs, 1):
            if not d or not d.get("delivered"):
                problems.append(f"fan{i}-{mode}-{r}.json: no deliveries (see its .txt)")
        good = [d if d and d.get("delivered") else None for d in runs]
        dps = [pick(d, "deliveries_per_s") for d in good]
        ns = [pick(d, "server_cpu_ns_per_delivery") for d in good]
        ns_mean[mode] = mean(ns)
        bad = sum((d.get("lost", 0) + d.get("duplicates", 0) + d.get("reordered", 0)) for d in good if d)
        ns_cell = cell(ns, lambda v: f"{v:,.0f}")
        if mode == "tls" and ns_mean.get("plain") and ns_mean["tls"]:
            ns_cell += f", {ns_mean['tls'] / ns_mean['plain']:.2f}x plain"
        label = f"{names[i] if i < len(names) else load} (`{load}`)" if mode == "plain" else ""
        print(f"| {label} | {mode} | {cell(dps, rate)} | {ns_cell} | "
              f"{latency([pick(d, 'latency_us', 'p50') for d in good])} | "
              f"{latency([pick(d, 'latency_us', 'p99') for d in good])} | {bad} |")

print(f"\n**2. Handshakes**, {repeats} {plural} per transport: {connections} clients connect at once "
      f"and log in: `chat-bench --port PORT --server-pid PID [--tls] {hs_args}`. "
      "The phase runs from the first connect until every client is ready; the server's CPU over "
      "it (/proc, 10 ms ticks) is divided by the clients ready.\n")
print("| transport | clients ready/s | TLS handshakes/s | server CPU µs per client | chat-bench CPU µs per client | failed |")
print("|---|---|---|---|---|---|")
us = {}
for mode in ("plain", "tls"):
    runs = [pick(report(f"handshake-{mode}-{r}"), "connect_phase") for r in range(1, repeats + 1)]
    for r, c in enumerate(runs, 1):
        if not c or c.get("ready") != int(connections):
            problems.append(f"handshake-{mode}-{r}: {c and c.get('ready')} of {connections} clients ready")
    us[mode] = mean([pick(c, "server_cpu_us_per_client") for c in runs])
    failed = sum(int(connections) - (c.get("ready") or 0) if c else int(connections) for c in runs)
    hs = cell([pick(c, "handshakes_per_s") for c in runs], rate) if mode == "tls" else "–"
    print(f"| {mode} | {cell([pick(c, 'ready_per_s') for c in runs], rate)} | {hs} | "
          f"{cell([pick(c, 'server_cpu_us_per_client') for c in runs], lambda v: f'{v:,.1f}')} | "
          f"{cell([pick(c, 'bench_cpu_us_per_client') for c in runs], lambda v: f'{v:,.1f}')} | {failed} |")
versions = {pick(report(f"handshake-tls-{r}"), "connect_phase", "tls_version") for r in range(1, repeats + 1)}
if us.get("plain") is not None and us.get("tls") is not None:
    own = us["tls"] - us["plain"]
    print(f"\nThe handshake's own server cost (TLS − plain, means): **{own:,.1f} µs** per client "
          f"({', '.join(sorted(v for v in versions if v))})", end="")
    print(f"; one core spending only that would make {1e6 / own:,.0f} handshakes/s." if own > 0 else ".")
    print("chat-bench and the server share this machine's cores: when chat-bench's CPU per client "
          "is the larger, the rates above are the bench's, and the server's CPU is the figure.")
if problems:
    print("\nProblems:\n" + "\n".join(f"- {p}" for p in problems))
PY
echo
echo "done $(date -u '+%H:%M:%S UTC'), load $(cut -d' ' -f1-3 /proc/loadavg); reports in $out"
