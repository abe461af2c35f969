# shellcheck shell=bash
# wait-for-log.sh -- sourced by the benchmark scripts: wait_for_log FILE TEXT [SECONDS] waits
# (bounded, default 30 s) until a server's log FILE holds TEXT, e.g. "listening on". A server
# that starts slowly while the disk is busy (a compile, apt) used to be given 5 s and lose runs.
wait_for_log() {
  local file="$1" text="$2" seconds="${3:-30}"
  for _ in $(seq $((seconds * 10))); do
    grep -q "$text" "$file" && return 0
    sleep 0.1
  done
  echo "wait_for_log: no \"$text\" in $file after $seconds s" >&2
}
