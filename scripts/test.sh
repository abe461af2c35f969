#!/usr/bin/env bash
# test.sh -- builds everything and runs the whole test suite (installing missing packages
# first): once per Asio backend (io_uring when this kernel allows it, and epoll).
# Ends with one "N passed, N failed" line over all runs; exits non-zero if anything failed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
jobs="$(nproc)"
passed=0
failed=0

# run_suite NAME CMAKE-ARGS...: configure, build and ctest in build/test-NAME.
run_suite() {
  local name="$1"
  shift
  local build="$root/build/test-$name"
  echo "=== $name: configure and build"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$build" -j"$jobs"
  echo "=== $name: tests"
  local log="$build/ctest.log"
  local rc=0
  (cd "$build" && ctest -j"$jobs" --timeout 300 --output-on-failure) 2>&1 | tee "$log" || rc=$?
  local total fails
  total=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$log" | tail -1)
  fails=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
  if [ -z "$total" ]; then # ctest itself failed before running tests
    failed=$((failed + 1))
    return
  fi
  passed=$((passed + total - fails))
  failed=$((failed + fails))
  if [ "$rc" != 0 ] && [ "$fails" = 0 ]; then failed=$((failed + 1)); fi
}

probe_dir="$root/build/uring-probe"
mkdir -p "$probe_dir"
if cc -o "$probe_dir/probe" "$root/cmake/io_uring_probe.c" -luring 2>/dev/null && "$probe_dir/probe"; then
  run_suite io_uring -DCHAT_BACKEND=io_uring
else
  echo "=== io_uring: this kernel refuses io_uring (seccomp or old kernel); testing epoll only"
fi
run_suite epoll -DCHAT_BACKEND=epoll

echo
echo "total: $passed passed, $failed failed"
[ "$failed" = 0 ]
