#!/usr/bin/env bash
# cluster-netns.sh BUILD_DIR -- three chat-server nodes in three network namespaces, joined by
# veth pairs to a bridge in a fourth namespace (the root namespace's links and routes are not
# touched), so that the cluster is tested across real interfaces and not only over loopback.
# The clients are chat-client runs inside each namespace (--script, and its chat mode fed
# through a FIFO where the script must decide when clients may start sending).
#
#   ns chatns-PID-a: eth0 10.77.0.1 (seed) --+
#   ns chatns-PID-b: eth0 10.77.0.2 ---------+-- veth peers port-a/b/c on bridge br0,
#   ns chatns-PID-c: eth0 10.77.0.3 ---------+   in ns chatns-PID-br
#   chat-server on each eth0: clients :7000, cluster :7100; b and c have --peer 10.77.0.1:7100
#
# Steps, each printed as PASS or FAIL: the three nodes join; a client on each node broadcasts
# N numbered messages and every client gets all 3N in per-sender order; the same name on two
# nodes at once is granted once; node c killed with SIGKILL frees its names on a (time measured)
# and a and b still chat; b's link pulled (bridge port down) is noticed by a (time measured);
# the link back up, b rejoins a (time measured) and they chat again.
# Exits 0 when all passed, 1 otherwise. Prints "SKIP: ..." and exits 0 where network namespaces
# cannot be created (no root, no iproute2, a container without CAP_SYS_ADMIN). Every wait is
# bounded; namespaces, veths and processes are removed on every exit path.
set -uo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR   (holding apps/chat-server/chat-server, apps/chat-client/chat-client)" >&2
  exit 2
fi
build="$(cd "$1" && pwd)" || exit 2
server_bin="$build/apps/chat-server/chat-server"
client_bin="$build/apps/chat-client/chat-client"
for b in "$server_bin" "$client_bin"; do
  [ -x "$b" ] || { echo "cluster-netns: FAIL: $b is missing (build chat-server and chat-client)"; exit 1; }
done

N=20                  # broadcasts per client per round
client_port=7000
cluster_port=7100
join_bound_ms=15000   # all three nodes see nodes=3
# a SIGKILLed node's names are free on the survivors: its kernel closes its sockets at once, so
# the survivors hear of it in milliseconds (about 30 ms here); the bound is for a loaded machine
freed_bound_ms=8000
# a pulled link is noticed within middleman.connection-timeout (3s, chat-server's default) plus
# one heartbeat-interval (0.5s), since the timeout is checked on each heartbeat; plus 1s slack
lost_bound_ms=4500
# after the link is back: b redials its seed a with back-off (100 ms doubling, up to 5 s), and a
# redial in flight over the dead link waits for its TCP SYN retry or the 3 s request timeout
rejoin_bound_ms=15000

prefix="chatns-$$"
br_ns="$prefix-br"
names=(a b c)
declare -A ns ip pid
for i in 0 1 2; do
  n=${names[$i]}
  ns[$n]="$prefix-$n"
  ip[$n]="10.77.0.$((i + 1))"
done
work="$(mktemp -d /tmp/cluster-netns.XXXXXX)"
created_ns=()
failures=0
keep_logs="${CLUSTER_NETNS_KEEP_LOGS:-0}" # 1: keep the logs of a run that passed too

now_ms() { date +%s%3N; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  exec 2>/dev/null # no "Killed" notices for the processes ended here
  local n p
  # Every server and client of this script runs inside one of its namespaces, and nothing else
  # does: what is still in them is ours to end.
  for n in "${created_ns[@]}"; do
    for p in $(ip netns pids "$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  done
  wait 2>/dev/null
  for n in "${created_ns[@]}"; do
    ip netns del "$n" 2>/dev/null # its veth ends go with it, and their peers
  done
  if [ "$keep_logs" = 1 ]; then
    echo "cluster-netns: logs kept in $work"
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap '' PIPE # a write to a client that is gone fails; it does not end this script
trap 'echo "cluster-netns: interrupted"; exit 130' INT TERM

pass() { echo "cluster-netns: PASS: $*"; }
fail() {
  echo "cluster-netns: FAIL: $*"
  failures=$((failures + 1))
  keep_logs=1
}
# The end: one summary line, and the exit status.
finish() {
  if [ "$failures" = 0 ]; then
    echo "cluster-netns: all steps passed in $(( ($(now_ms) - started_ms) / 1000 )) s"
    exit 0
  fi
  echo "cluster-netns: $failures step(s) failed"
  exit 1
}
# A failure later steps cannot build on: report it and stop.
fatal() {
  fail "$*"
  finish
}
started_ms=$(now_ms)

# -- Namespaces: can we create them at all? --------------------------------------------------
if ! command -v ip >/dev/null 2>&1; then
  echo "SKIP: cannot create network namespaces here (no 'ip' command: install iproute2)"
  exit 0
fi
if ! err="$(ip netns add "$br_ns" 2>&1)"; then
  echo "SKIP: cannot create network namespaces here (ip netns add: ${err:-failed}; needs root or CAP_SYS_ADMIN)"
  exit 0
fi
created_ns+=("$br_ns")
# From here on namespaces work, so every failure is a real one.

nsx() { # nsx NODE CMD...: run CMD inside NODE's namespace
  local n="$1"
  shift
  ip netns exec "${ns[$n]}" "$@"
}

setup_network() {
  ip -n "$br_ns" link set lo up || return 1
  ip -n "$br_ns" link add br0 type bridge || return 1
  ip -n "$br_ns" link set br0 up || return 1
  local n
  for n in "${names[@]}"; do
    ip netns add "${ns[$n]}" || return 1
    created_ns+=("${ns[$n]}")
    ip -n "${ns[$n]}" link set lo up || return 1
    # eth0 in the node's namespace, port-N on the bridge
    ip -n "$br_ns" link add "port-$n" type veth peer name eth0 netns "${ns[$n]}" || return 1
    ip -n "$br_ns" link set "port-$n" master br0 up || return 1
    ip -n "${ns[$n]}" addr add "${ip[$n]}/24" dev eth0 || return 1
    ip -n "${ns[$n]}" link set eth0 up || return 1
  done
}
if ! setup_network 2>"$work/setup.err"; then # not in a subshell: created_ns must be kept
  fatal "network setup: $(cat "$work/setup.err")"
fi
# Each node's address answers from a's namespace (a refused TCP connection is an answer; no
# ping needed), within a bound.
reachable() {
  local out
  out="$(nsx a timeout 1 bash -c "exec 3<>/dev/tcp/$1/$client_port" 2>&1)" || [[ "$out" == *refused* ]]
}
for n in b c; do
  ok=0
  for _ in $(seq 1 30); do
    if reachable "${ip[$n]}"; then ok=1; break; fi
    sleep 0.1
  done
  [ "$ok" = 1 ] || fatal "network setup: ${ip[$n]} does not answer from ${ip[a]}"
done
pass "namespaces ${ns[a]}, ${ns[b]}, ${ns[c]} on bridge br0 in $br_ns; each reaches the others"

# -- Servers ---------------------------------------------------------------------------------
log() { echo "$work/node-$1.log"; }
count_in_log() { # count_in_log NODE TEXT: how many lines of NODE's log hold TEXT
  local n
  n=$(grep -cF -- "$2" "$(log "$1")" 2>/dev/null)
  echo "${n:-0}" # 0 too while the log file is not there yet
}
# wait_log NODE TEXT COUNT BOUND_MS: waits until TEXT appears COUNT times; prints elapsed ms
wait_log() {
  local t0 now
  t0=$(now_ms)
  while :; do
    if [ "$(count_in_log "$1" "$2")" -ge "$3" ]; then
      echo $(($(now_ms) - t0))
      return 0
    fi
    now=$(now_ms)
    [ $((now - t0)) -ge "$4" ] && return 1
    sleep 0.02
  done
}
start_node() { # start_node NODE [SEED_NODE]
  local n="$1" args=()
  [ $# -gt 1 ] && args+=(--peer "${ip[$2]}:$cluster_port")
  # ip netns exec execs the server, so $! is the server itself (a function or subshell here
  # would leave $! pointing at a bash that SIGKILL ends instead of the server)
  ip netns exec "${ns[$n]}" "$server_bin" --host "${ip[$n]}" --port "$client_port" --cluster-port "$cluster_port" \
    "${args[@]}" --max-broadcast-rate=0 --log-level=debug --data-dir "$work/data-$n" \
    2>"$(log "$n")" >/dev/null &
  pid[$n]=$!
}
show_log() { # the tail of NODE's log, indented, for failure reports
  echo "  --- last lines of node $1's log ($(log "$1")):"
  tail -n "${2:-15}" "$(log "$1")" | sed 's/^/  | /'
}

start_node a
start_node b a
start_node c a
joined=1
for n in "${names[@]}"; do
  if ! t=$(wait_log "$n" "nodes=3" 1 "$join_bound_ms"); then
    joined=0
    fail "join: node $n does not see nodes=3 within $join_bound_ms ms"
    show_log "$n"
  fi
done
[ "$joined" = 1 ] || finish
status="$(nsx a timeout 10 "$server_bin" --cluster-status "${ip[a]}:$cluster_port" 2>&1)"
if [ "$(grep -c "^10\.77\.0\.[123]:$cluster_port" <<<"$status")" = 3 ]; then
  pass "join: every node sees nodes=3 $(( $(now_ms) - started_ms )) ms after this script started;" \
    "--cluster-status from a lists all three"
else
  fatal "join: --cluster-status from a does not list the three nodes: $status"
fi

# -- Clients ---------------------------------------------------------------------------------
# run_client NODE NAME SCRIPT [REPLY_TIMEOUT]: chat-client --script inside NODE's namespace,
# against NODE's server, in the background; $! is its pid, its output in $work/NAME.out/.err
run_client() {
  local n="$1" name="$2" script="$3" timeout="${4:-10s}"
  ip netns exec "${ns[$n]}" "$client_bin" --host "${ip[$n]}" --port "$client_port" --script "$script" \
    --reply-timeout "$timeout" >"$work/$name.out" 2>"$work/$name.err" &
}
# wait_pid PID BOUND_S: waits for a client, killing it after BOUND_S; returns its status
wait_pid() {
  local p="$1" bound="$2" t
  for ((t = 0; t < bound * 50; t++)); do
    kill -0 "$p" 2>/dev/null || { wait "$p"; return; }
    sleep 0.02
  done
  echo "  (a client ran over ${bound} s and was ended)"
  { kill -9 "$p"; wait "$p"; } 2>/dev/null
  return 1
}
# members NODE: the member count node a's --cluster-status reports for NODE
members() {
  nsx a timeout 10 "$server_bin" --cluster-status "${ip[a]}:$cluster_port" 2>/dev/null |
    awk -v a="${ip[$1]}:$cluster_port" '$1 == a { print $NF }'
}

# broadcast_round TAG NODE...: on each NODE a chat-client --name TAG<node> (its chat mode:
# stdin lines are broadcasts, received broadcasts are stdout lines) logs in. Only once every one
# of them is a member of its node (--cluster-status) does each get its N lines "m1".."mN", so
# no client can miss another's first message. Each must then print all of them, every sender's
# in order, after its "* Login OK" and nothing else. Prints what went wrong, if anything, and returns non-zero then.
broadcast_round() {
  local tag="$1" n
  shift
  local nodes=("$@") senders=() pids=() fds=()
  for n in "${nodes[@]}"; do senders+=("$tag$n"); done
  for n in "${nodes[@]}"; do
    local me="$tag$n" fifo="$work/$tag$n.in"
    rm -f "$fifo" && mkfifo "$fifo"
    ip netns exec "${ns[$n]}" "$client_bin" --host "${ip[$n]}" --port "$client_port" \
      --name "$me" <"$fifo" >"$work/$me.out" 2>"$work/$me.err" &
    pids+=($!)
  done
  # Opened only now, so that no client inherits another's input; read-write, so that opening
  # does not block; closing it is the client's end of input.
  for n in "${nodes[@]}"; do
    local fd
    exec {fd}<>"$work/$tag$n.in"
    fds+=("$fd")
  done
  local t0 ready=0 i bad=0 total=$((${#nodes[@]} * N))
  t0=$(now_ms)
  # A client is a member of #lobby once it has printed its own join (chat-client joins lobby
  # right after its login); only then does it hear what the others say there.
  while [ $(($(now_ms) - t0)) -lt 10000 ]; do
    ready=1
    for n in "${nodes[@]}"; do
      [ "$(members "$n")" = 1 ] || { ready=0; break; }
      grep -qF "* $tag$n joined #lobby" "$work/$tag$n.out" 2>/dev/null || { ready=0; break; }
    done
    [ "$ready" = 1 ] && break
    sleep 0.1
  done
  if [ "$ready" != 1 ]; then
    echo "  the clients ${senders[*]} were not all members within 10 s"
    bad=1
  fi
  for fd in "${fds[@]}"; do
    for ((i = 1; i <= N; i++)); do echo "m$i"; done >&"$fd"
  done
  # every client has printed all of them (bounded), then its input ends and it leaves
  t0=$(now_ms)
  while [ $(($(now_ms) - t0)) -lt 20000 ]; do
    ready=1
    for n in "${nodes[@]}"; do
      [ "$(grep -c '^#lobby .*: m[0-9]*$' "$work/$tag$n.out")" -ge "$total" ] || { ready=0; break; }
    done
    [ "$ready" = 1 ] && break
    sleep 0.05
  done
  for fd in "${fds[@]}"; do exec {fd}>&-; done
  for i in "${!nodes[@]}"; do
    n=${nodes[$i]}
    local me="$tag$n" problem
    wait_pid "${pids[$i]}" 10 || { bad=1; echo "  client $me on node $n: exit status $?: $(tail -n 2 "$work/$me.err")"; }
    problem="$(awk -v senders="${senders[*]}" -v n="$N" '
      BEGIN { k = split(senders, s, " "); for (i = 1; i <= k; i++) want[s[i]] = 1 }
      NR == 1 { if ($0 != "* Login OK" && bad == "") bad = "line 1 is \"" $0 "\""; next }
      /^\* / { next } # presence and notices: "* b joined #lobby"
      {
        if (substr($0, 1, 7) != "#lobby ") { if (bad == "") bad = "line " NR " is \"" $0 "\""; next }
        line = substr($0, 8)
        c = index(line, ": "); name = substr(line, 1, c - 1)
        if (c == 0 || !(name in want) || substr(line, c + 2) != "m" (got[name] + 1)) {
          if (bad == "") bad = "line " NR " is \"" $0 "\""
        } else got[name]++
      }
      END {
        for (i = 1; i <= k; i++)
          if (got[s[i]] != n) miss = miss " " s[i] ": " got[s[i]] + 0 " of " n
        if (miss != "") miss = "received in order:" miss
        if (bad != "" && miss != "") bad = bad "; "
        if (bad != "" || miss != "") print bad miss
      }' "$work/$me.out")"
    if [ -n "$problem" ]; then
      bad=1
      echo "  client $me on node $n: $problem"
    fi
  done
  return "$bad"
}

t0=$(now_ms)
if broadcast_round "" a b c >"$work/round.txt"; then
  pass "broadcast: a, b, c each sent $N; each of them got all $((3 * N)) in per-sender order" \
    "($(($(now_ms) - t0)) ms)"
else
  fail "broadcast across three namespaces:"
  cat "$work/round.txt"
fi

# -- The same name on two nodes at once: granted exactly once --------------------------------
# Both clients log in, then wait for a close that does not come: the one granted holds the name
# for the 3 s reply timeout and then ends "still open after 3000 ms"; the other is refused. The
# three pairs run at the same time.
twin_pids=()
for pair in "a b" "b c" "c a"; do
  read -r x y <<<"$pair"
  name="twin$x$y"
  echo "$name > LOGIN $name | $name < LOGIN \"Login OK\" | $name < CLOSED" >"$work/$name.chat"
  run_client "$x" "$name-$x" "$work/$name.chat" 3s
  twin_pids+=($!)
  run_client "$y" "$name-$y" "$work/$name.chat" 3s
  twin_pids+=($!)
done
for p in "${twin_pids[@]}"; do wait_pid "$p" 10; done
twin_ok=1
for pair in "a b" "b c" "c a"; do
  read -r x y <<<"$pair"
  name="twin$x$y"
  errs=("$work/$name-$x.err" "$work/$name-$y.err")
  granted=$(cat "${errs[@]}" | grep -c "still open after")
  refused=$(cat "${errs[@]}" | grep -c 'got LOGIN "Login failed: name taken"')
  if [ "$granted" != 1 ] || [ "$refused" != 1 ]; then
    twin_ok=0
    fail "same name '$name' on nodes $x and $y at once: granted $granted times, refused $refused times"
    tail -n 2 "${errs[@]}" | sed 's/^/  /'
  fi
done
[ "$twin_ok" = 1 ] &&
  pass "same name: simultaneous logins of one name on a and b, b and c, c and a: each granted once"

# -- SIGKILL node c: its names are freed on a; a and b still chat ----------------------------
echo 'c > LOGIN c | c < LOGIN "Login OK" | c < CLOSED' >"$work/holder.chat"
run_client c holder "$work/holder.chat" 60s
holder=$!
echo 'c > LOGIN c | c < LOGIN "Login failed: name taken"' >"$work/taken.chat"
echo 'c > LOGIN c | c < LOGIN "Login OK"' >"$work/free.chat"
# First c is a member of node c (a probe on a before that would take the name itself), then a
# LOGIN of c on a is refused.
t0=$(now_ms)
until [ "$(members c)" = 1 ]; do
  if ! kill -0 "$holder" 2>/dev/null || [ $(($(now_ms) - t0)) -ge 5000 ]; then
    fatal "kill: 'c' did not log in on node c within 5 s: $(tail -n 1 "$work/holder.err")"
  fi
  sleep 0.05
done
taken=0
t0=$(now_ms)
while [ $(($(now_ms) - t0)) -lt 5000 ]; do
  run_client a taken "$work/taken.chat" 3s
  if wait_pid $! 5; then taken=1; break; fi
  sleep 0.05
done
[ "$taken" = 1 ] || fatal "kill: 'c' logged in on node c is not refused on node a within 5 s"
killed=$(now_ms)
{ kill -9 "${pid[c]}"; wait "${pid[c]}"; } 2>/dev/null # no "Killed" notice
freed_ms=""
attempts=0
while [ $(($(now_ms) - killed)) -lt "$freed_bound_ms" ]; do
  attempts=$((attempts + 1))
  run_client a free "$work/free.chat" 3s
  if wait_pid $! 5; then
    freed_ms=$(($(now_ms) - killed))
    break
  fi
  sleep 0.05
done
lost_a=$(count_in_log a "node lost address=${ip[c]}:$cluster_port")
lost_b=$(count_in_log b "node lost address=${ip[c]}:$cluster_port")
if [ -n "$freed_ms" ]; then
  pass "kill -9 node c: 'c' free on node a $freed_ms ms after SIGKILL (bound $freed_bound_ms ms," \
    "$attempts login attempts); node lost logged by a: $lost_a, by b: $lost_b"
else
  fail "kill -9 node c: 'c' still taken on node a $freed_bound_ms ms after SIGKILL"
  tail -n 2 "$work/free.err" | sed 's/^/  /'
  show_log a 8
fi
if wait_pid "$holder" 5; then
  pass "kill -9 node c: c's own client saw its connection close"
else
  fail "kill -9 node c: c's own client did not see the close: $(tail -n 1 "$work/holder.err")"
fi
t0=$(now_ms)
if broadcast_round k a b >"$work/round.txt"; then
  pass "after the kill: a and b each sent $N and both got all $((2 * N)) ($(($(now_ms) - t0)) ms)"
else
  fail "after the kill, a and b do not chat:"
  cat "$work/round.txt"
fi

# -- Pull b's link: a notices within the connection timeout; put it back: b rejoins ----------
b_addr="${ip[b]}:$cluster_port"
a_addr="${ip[a]}:$cluster_port"
a_joined_b=$(count_in_log a "node joined address=$b_addr")
b_joined_a=$(count_in_log b "node joined address=$a_addr")
ip -n "$br_ns" link set port-b down
down=$(now_ms)
if t=$(wait_log a "node lost address=$b_addr" 1 "$lost_bound_ms"); then
  lost_ms=$(($(now_ms) - down))
  pass "link down: node a logged 'node lost address=$b_addr' $lost_ms ms after b's bridge port" \
    "went down (bound $lost_bound_ms ms = connection-timeout 3 s + heartbeat 0.5 s + 1 s)"
else
  fail "link down: node a did not notice b's loss within $lost_bound_ms ms"
  show_log a 8
fi
# b is cut off too: it should notice a's loss the same way (bounded; reported, not required)
if t=$(wait_log b "node lost address=$a_addr" 1 "$lost_bound_ms"); then
  echo "cluster-netns: note: node b logged 'node lost address=$a_addr' $(($(now_ms) - down)) ms after link down"
else
  echo "cluster-netns: note: node b did not log the loss of a within $lost_bound_ms ms"
fi
# Keep the link down a while longer, so that b's redials of its seed meet the dead link too.
sleep 2
ip -n "$br_ns" link set port-b up
up=$(now_ms)
echo "cluster-netns: note: link was down for $((up - down)) ms"
ta=""
tb=""
while [ $(($(now_ms) - up)) -lt "$rejoin_bound_ms" ]; do
  [ -z "$tb" ] && [ "$(count_in_log b "node joined address=$a_addr")" -gt "$b_joined_a" ] && tb=$(($(now_ms) - up))
  [ -z "$ta" ] && [ "$(count_in_log a "node joined address=$b_addr")" -gt "$a_joined_b" ] && ta=$(($(now_ms) - up))
  [ -n "$ta" ] && [ -n "$tb" ] && break
  sleep 0.02
done
if [ -n "$ta" ] && [ -n "$tb" ]; then
  pass "link up: b rejoined; node b logged a joined after $tb ms, node a logged b joined after" \
    "$ta ms (bound $rejoin_bound_ms ms)"
  t0=$(now_ms)
  if broadcast_round r a b >"$work/round.txt"; then
    pass "after the rejoin: a and b each sent $N and both got all $((2 * N)) ($(($(now_ms) - t0)) ms)"
  else
    fail "after the rejoin, a and b do not chat:"
    cat "$work/round.txt"
  fi
else
  fail "link up: no rejoin within $rejoin_bound_ms ms (a saw b join: ${ta:-no}; b saw a join: ${tb:-no})"
  show_log a 10
  show_log b 10
fi

finish
