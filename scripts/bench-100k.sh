#!/usr/bin/env bash
# bench-100k.sh -- 100,000 logged-in clients over a cluster of chat-servers on this machine, and
# one broadcast reaching all of them (BENCHMARKS.md "Cluster"). A process may hold at most
# 20,000 open files here, so NODES clustered chat-servers hold the clients (each well under
# 20,000 connections), and PROCS chat-bench processes (--connect-only) open them, each spread
# over every node (--server, client i on node i % NODES) and over source addresses 127.0.0.1..SA
# (client i from 127.0.0.(1 + i % SA)), so that no (source, destination) pair needs more
# ephemeral ports than net.ipv4.ip_local_port_range has. Once every holder holds all of its
# clients, one more chat-bench process (one client, on node 0) sends one broadcast; node 0
# fans it out to its clients and relays it once to every other node, which fans it out to its
# own. Time to the last delivery is the max over the holders of their latency max (stamp send
# time -> kernel receive timestamp, one steady clock for the whole machine), as in bench-19k.sh.
# Everything is bounded: timeouts on every wait, the holders' --duration, and the trap that stops
# whatever this script started.
# Usage: scripts/bench-100k.sh [CLIENTS, default 100000] [NODES, default 6] [PROCS, default 6]
#   BUILD_DIR=dir   take chat-server and chat-bench from there (default: build build/bench-cluster)
#   RATE=n          connects per second per chat-bench process (default 600)
# Output: BUILD_DIR/bench-100k/{limits.txt,node-K.log,holder-N.json,holder-N.log,held.txt,
#         cluster-status.txt,sender.json,summary.txt}
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/wait-for-log.sh
. "$root/scripts/wait-for-log.sh"
clients="${1:-100000}"
nodes="${2:-6}"
procs="${3:-6}"
rate="${RATE:-600}"
sa=5 # source addresses; coprime with the default 6 nodes, so every (source, node) pair is used
source "$root/scripts/bench-binaries.sh"
out="$build/bench-100k"
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.log "$out"/summary.txt

# --- limits: check what bounds this run, and say so before trying -----------------------------
per_node=$(((clients + nodes - 1) / nodes))
per_proc=$(((clients + procs - 1) / procs))
ulimit -n 20000 || {
  echo "cannot raise the open-file limit to 20000 (hard limit $(ulimit -Hn))" >&2
  exit 2
}
for share in "$per_node:node" "$per_proc:chat-bench process"; do
  if [ "${share%%:*}" -gt 19000 ]; then
    echo "${share%%:*} connections per ${share#*:} is above what 20,000 open files allow;" \
      "use more nodes/processes" >&2
    exit 2
  fi
done
read -r port_lo port_hi < /proc/sys/net/ipv4/ip_local_port_range
ports=$((port_hi - port_lo + 1))
per_pair=$(((clients + sa * nodes - 1) / (sa * nodes))) # every pair is used: gcd(SA, NODES) = 1
if [ "$(python3 -c "import math; print(math.gcd($sa, $nodes))")" != 1 ]; then
  per_pair=$(((clients + nodes - 1) / nodes)) # pairs collapse: one source per node, worst case
fi
if [ "$per_pair" -gt "$ports" ]; then
  echo "$per_pair connections per (source, destination) pair exceed the $ports ephemeral ports" >&2
  exit 2
fi
# Each connection is two sockets on this machine: one file each on both ends.
file_max="$(cat /proc/sys/fs/file-max)"
if [ "$file_max" -lt $((clients * 2 + 10000)) ]; then
  echo "fs.file-max $file_max is below 2 x $clients sockets" >&2
  exit 2
fi
# The accept queue: the holders connect at RATE/s each, a node's share at most RATE*PROCS/NODES/s.
# Raising somaxconn is a global setting; only done when too low, and only as root.
somaxconn="$(cat /proc/sys/net/core/somaxconn)"
if [ "$somaxconn" -lt 4096 ] && [ "$(id -u)" = 0 ]; then
  sysctl -q -w net.core.somaxconn=4096 && somaxconn=4096
fi
{
  echo "limits: open files per process $(ulimit -n) (hard $(ulimit -Hn)); per node $per_node," \
    "per chat-bench process $per_proc connections"
  echo "limits: ip_local_port_range $port_lo-$port_hi ($ports ports), at most $per_pair" \
    "connections per (source address, node) pair over $sa sources x $nodes nodes"
  echo "limits: fs.file-max $file_max, net.core.somaxconn $somaxconn," \
    "net.ipv4.tcp_max_syn_backlog $(cat /proc/sys/net/ipv4/tcp_max_syn_backlog)"
} | tee "$out/limits.txt"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do # bounded: whatever has not stopped in 15 s is killed
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

mem_kib() { awk -v k="$1:" '$1 == k {print $2}' /proc/meminfo; }
mem_avail_before="$(mem_kib MemAvailable)"
slab_before="$(mem_kib Slab)"

# --- the cluster ---------------------------------------------------------------------------------
read -r -a cluster_ports <<<"$(python3 - "$nodes" <<'EOF'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()
EOF
)"
node_pids=()
client_ports=()
for k in $(seq 0 $((nodes - 1))); do
  log="$out/node-$k.log"
  peer_args=()
  [ "$k" -gt 0 ] && peer_args=(--peer "127.0.0.1:${cluster_ports[0]}")
  # info: the "nodes=N" line is info (so is one "login" line per client: ~17,000 lines a node)
  : >"$log" # before the start: a grep must not find the last run's line
  "$server_bin" --port=0 --log-level=info --max-broadcast-rate=0 \
    --max-connections=$((per_node + 1000)) --cluster-port "${cluster_ports[$k]}" \
    "${peer_args[@]}" --data-dir "$out/node-$k.data" >"$log" 2>&1 &
  node_pids+=("$!")
  pids+=("$!")
  wait_for_log "$log" "listening on 127.0.0.1:[0-9]"
  port="$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log" | head -1)"
  [ -n "$port" ] || { echo "node $k did not start" >&2; cat "$log" >&2; exit 1; }
  client_ports+=("$port")
done
formed=0
for _ in $(seq 300); do
  formed=1
  for k in $(seq 0 $((nodes - 1))); do
    grep -q "nodes=$nodes" "$out/node-$k.log" || { formed=0; break; }
  done
  [ "$formed" = 1 ] && break
  sleep 0.1
done
[ "$formed" = 1 ] || { echo "the $nodes-node cluster did not form in 30 s" >&2; exit 1; }
rss_before=()
for pid in "${node_pids[@]}"; do rss_before+=("$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"); done

# --- the holders -----------------------------------------------------------------------------------
server_args=()
for k in $(seq 0 $((nodes - 1))); do server_args+=(--server "127.0.0.1:${client_ports[$k]}"); done
connect_s_max=$((per_proc / rate + 1))
hold_s=$((connect_s_max + 240)) # connect, then time for the broadcast; TERM ends them earlier
started="$(date +%s.%N)"
for i in $(seq 0 $((procs - 1))); do
  n=$per_proc
  [ "$i" = $((procs - 1)) ] && n=$((clients - per_proc * (procs - 1)))
  timeout $((hold_s + 60)) "$bench_bin" "${server_args[@]}" --clients "$n" --connect-only \
    --duration "${hold_s}s" --connect-rate "$rate" --source-addresses "$sa" \
    --name-prefix "h${i}_" >"$out/holder-$i.json" 2>"$out/holder-$i.log" &
  pids+=("$!")
done

all_holding() {
  for i in $(seq 0 $((procs - 1))); do
    grep -q "holding" "$out/holder-$i.log" || return 1
  done
}
for _ in $(seq $(((connect_s_max + 60) * 10))); do all_holding && break; sleep 0.1; done
all_holding || { echo "the holders did not all reach holding in $((connect_s_max + 60)) s" >&2; exit 1; }
login_s="$(python3 -c "import time; print(f'{time.time() - $started:.1f}')")"
sleep 1.5 # a progress line with the final counts
held=0
for i in $(seq 0 $((procs - 1))); do
  n="$(grep holding "$out/holder-$i.log" | tail -1 | sed -n 's/.* logged_in \([0-9]*\).*/\1/p')"
  held=$((held + ${n:-0}))
done
echo "logged in, as the holders count: $held of $clients after $login_s s" | tee "$out/held.txt"
# And as the cluster counts: every node's members.
timeout 20 "$server_bin" --cluster-status "127.0.0.1:${cluster_ports[0]}" --log-level=warn \
  >"$out/cluster-status.txt" 2>&1 || true
cat "$out/cluster-status.txt"
rss_held=()
fds_held=()
for pid in "${node_pids[@]}"; do
  rss_held+=("$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")")
  fds_held+=("$(ls "/proc/$pid/fd" | wc -l)")
done
mem_avail_held="$(mem_kib MemAvailable)"
slab_held="$(mem_kib Slab)"
sockstat="$(grep '^TCP:' /proc/net/sockstat)"
[ "$held" -eq "$clients" ] || echo "warning: only $held of $clients logged in" >&2

# --- one broadcast -----------------------------------------------------------------------------------
cpu_ticks() { # the nodes' CPU time so far, in clock ticks
  local sum=0 pid
  for pid in "${node_pids[@]}"; do
    sum=$((sum + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$sum"
}
timeout 60 "$bench_bin" --server "127.0.0.1:${client_ports[0]}" --clients 1 --senders 1 \
  --window 1 --max-broadcasts 1 --warmup 0s --duration 3s --name-prefix s \
  >"$out/sender.json" 2>"$out/sender.log"
# The fan-out on the other nodes may still run: wait until the nodes are idle together
# (under 5 ticks, 50 ms of CPU, per 0.5 s, twice in a row; at most 120 s).
quiet=0
last="$(cpu_ticks)"
for _ in $(seq 240); do
  sleep 0.5
  now="$(cpu_ticks)"
  if [ $((now - last)) -lt 5 ]; then quiet=$((quiet + 1)); else quiet=0; fi
  last="$now"
  [ "$quiet" -ge 2 ] && break
done
for i in $(seq 1 $procs); do kill -TERM "${pids[$((nodes + i - 1))]}" 2>/dev/null || true; done
for i in $(seq 1 $procs); do wait "${pids[$((nodes + i - 1))]}" 2>/dev/null || true; done

python3 - "$out" "$procs" "$clients" "$nodes" "$login_s" "$held" \
  "${rss_before[*]}" "${rss_held[*]}" "${fds_held[*]}" \
  "$mem_avail_before" "$mem_avail_held" "$slab_before" "$slab_held" "$sockstat" \
  <<'EOF' | tee "$out/summary.txt"
import json, sys
(out, procs, clients, nodes, login_s, held, rss_b, rss_h, fds, avail_b, avail_h, slab_b, slab_h,
 sockstat) = sys.argv[1:]
procs, clients, nodes = int(procs), int(clients), int(nodes)
holders = [json.loads(open(f"{out}/holder-{i}.json").read().strip().splitlines()[-1])
           for i in range(procs)]
logged_in = sum(h["logged_in"] for h in holders)
watched = sum(h["watched"] for h in holders)
closed = sum(h["closed_by_server"] for h in holders)
failed = sum(h["connect_failed"] + h["login_failed"] for h in holders)
last_ms = max(h["latency_us"]["max"] for h in holders) / 1000
p50_ms = [h["latency_us"]["p50"] / 1000 for h in holders]
rss_b, rss_h, fds = ([int(x) for x in v.split()] for v in (rss_b, rss_h, fds))
print(f"clients: {logged_in} of {clients} logged in ({procs} chat-bench processes, {nodes} nodes), "
      f"failed {failed}; all logged in {login_s} s after the first connect")
for k in range(nodes):
    print(f"node {k}: RSS {rss_b[k]} KiB empty, {rss_h[k]} KiB holding, "
          f"{fds[k]} open descriptors")
print(f"nodes together: RSS {sum(rss_h)} KiB holding "
      f"({(sum(rss_h) - sum(rss_b)) * 1024 / max(logged_in, 1):.0f} B per client); machine: "
      f"MemAvailable {int(avail_b) // 1024} -> {int(avail_h) // 1024} MiB, "
      f"Slab {int(slab_b) // 1024} -> {int(slab_h) // 1024} MiB; {sockstat}")
print(f"one broadcast: received by {watched} of {logged_in} held clients, closed by server {closed}")
print(f"time from send to last delivery: {last_ms:.1f} ms "
      f"(per-process medians {', '.join(f'{v:.1f}' for v in p50_ms)} ms)")
EOF
