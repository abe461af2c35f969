#!/usr/bin/env bash
# bench-cluster.sh -- the same chat-bench loads against one chat-server, then a 2-node and a
# 3-node cluster of chat-servers, all in one run on this machine (BENCHMARKS.md "Cluster").
# Every node listens on 127.0.0.1 (clients on a free port, the cluster on its own port); nodes
# 2 and 3 join through node 1 (--peer), and chat-bench starts only once every node's log says
# "nodes=N". chat-bench gets every node (--server, --server-pid in the same order): client i
# uses node i % N and so do the senders, so it reports same-node and cross-node deliveries and
# the server CPU per delivery of each node. The single node is a plain server (no --cluster-port).
# On one machine the nodes share its cores: this measures the cost of the cross-node hop, not
# scale-out.
# Usage: scripts/bench-cluster.sh [SECONDS per run, default 10]
#   BUILD_DIR=dir   take chat-server and chat-bench from there (default: build build/bench-cluster)
# Output: BUILD_DIR/bench-cluster/<load>-<N>node.json (chat-bench's JSON line), node logs,
#         table.txt (the table printed at the end).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/wait-for-log.sh
. "$root/scripts/wait-for-log.sh"
seconds="${1:-10}"
source "$root/scripts/bench-binaries.sh"
out="$build/bench-cluster"
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.log "$out"/table.txt

# The loads, identical for every cluster size: NAME and chat-bench arguments.
loads=(
  "fanout10|--clients 100 --senders 10 --window 16 --payload 64"
  "rated300|--clients 300 --senders 10 --rate 10 --payload 64"
)

node_pids=()
stop_nodes() {
  for pid in "${node_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${node_pids[@]}"; do # bounded: a node that does not stop in 10 s is killed
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  node_pids=()
}
trap stop_nodes EXIT

# N free TCP ports on 127.0.0.1 (the kernel picks them; a small race with other programs).
free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()
EOF
}

# start_nodes N: N chat-servers; sets node_pids and client_ports. Fails if the cluster does not
# form within 20 s.
start_nodes() {
  local n="$1" k log
  local cluster_ports
  read -r -a cluster_ports <<<"$(free_ports "$n")"
  client_ports=()
  for k in $(seq 0 $((n - 1))); do
    log="$out/${n}node-$k.log"
    local cluster_args=()
    if [ "$n" -gt 1 ]; then
      cluster_args=(--cluster-port "${cluster_ports[$k]}")
      [ "$k" -gt 0 ] && cluster_args+=(--peer "127.0.0.1:${cluster_ports[0]}")
    fi
    # info, not warn: the "cluster: node joined ... nodes=N" lines are info.
    : >"$log" # before the start: a grep must not find the last run's line
    "$server_bin" --port=0 --log-level=info --max-broadcast-rate=0 "${cluster_args[@]}" \
      --data-dir "$out/${n}node-$k.data" >"$log" 2>&1 &
    node_pids+=("$!")
    wait_for_log "$log" "listening on 127.0.0.1:[0-9]"
    local port
    port="$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$log" | head -1)"
    [ -n "$port" ] || { echo "node $k did not start" >&2; cat "$log" >&2; return 1; }
    client_ports+=("$port")
  done
  [ "$n" -eq 1 ] && return 0
  local formed=0
  for _ in $(seq 200); do
    formed=1
    for k in $(seq 0 $((n - 1))); do
      grep -q "nodes=$n" "$out/${n}node-$k.log" || { formed=0; break; }
    done
    [ "$formed" = 1 ] && break
    sleep 0.1
  done
  [ "$formed" = 1 ] || { echo "the $n-node cluster did not form in 20 s" >&2; return 1; }
}

for n in 1 2 3; do
  start_nodes "$n"
  for load in "${loads[@]}"; do
    name="${load%%|*}"
    read -r -a load_args <<<"${load#*|}"
    args=()
    for k in $(seq 0 $((n - 1))); do
      args+=(--server "127.0.0.1:${client_ports[$k]}" --server-pid "${node_pids[$k]}")
    done
    echo "== $name, $n node(s): chat-bench ${args[*]} ${load_args[*]} --duration ${seconds}s" >&2
    loadavg="$(cut -d' ' -f1 /proc/loadavg)"
    timeout $((seconds * 3 + 60)) "$bench_bin" "${args[@]}" "${load_args[@]}" \
      --duration "${seconds}s" --name-prefix "${name:0:1}${n}_" \
      >"$out/$name-${n}node.out" 2>"$out/$name-${n}node.bench.log" || true
    # The JSON line, with the load average at its start added for the table.
    tail -1 "$out/$name-${n}node.out" |
      python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); d["loadavg_1m"]=float(sys.argv[1]); print(json.dumps(d))' \
        "$loadavg" >"$out/$name-${n}node.json" || echo "no result for $name, $n node(s)" >&2
    rm -f "$out/$name-${n}node.out"
  done
  stop_nodes
done

python3 - "$out" <<'EOF' | tee "$out/table.txt"
import json, os, sys
out = sys.argv[1]
def fmt(v, d=0):
    return "-" if v is None else f"{v:,.{d}f}"
print("| load | nodes | deliveries/s | same-node /s | cross-node /s | lost | same-node p50 / p99 µs "
      "| cross-node p50 / p99 / p999 µs "
      "| server ns/delivery per node | all nodes | load avg |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for load in ("fanout10", "rated300"):
    for n in (1, 2, 3):
        path = f"{out}/{load}-{n}node.json"
        if not os.path.exists(path):
            print(f"| {load} | {n} | (no result) |"); continue
        d = json.load(open(path))
        same, cross = d["same_node"], d["cross_node"]
        lat = cross["latency_us"]
        cross_lat = "-" if n == 1 else f'{lat["p50"]:,.0f} / {lat["p99"]:,.0f} / {lat["p999"]:,.0f}'
        per_node = " / ".join(fmt(x["server_cpu_ns_per_delivery"], 0) for x in d["nodes"])
        print(f'| {load} | {n} | {fmt(d["deliveries_per_s"])} | {fmt(same["deliveries_per_s"])} '
              f'| {fmt(cross["deliveries_per_s"])} | {d["lost"]} | {fmt(same["latency_us"]["p50"])} / {fmt(same["latency_us"]["p99"])} '
              f'| {cross_lat} | {per_node} '
              f'| {fmt(d["server_cpu_ns_per_delivery"], 0)} | {d["loadavg_1m"]} |')
EOF
echo "results in $out" >&2
