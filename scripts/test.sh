#!/usr/bin/env bash
# test.sh -- builds everything and runs the whole test suite (installing missing packages
# first): once per Asio backend (io_uring when this kernel allows it, and epoll), then once
# under ASan+UBSan ("asan") and once under ThreadSanitizer ("tsan"), then each fuzz target for
# a bounded time.
# After the backend suites, scripts/cluster-netns.sh (three nodes in network namespaces) counts as
# one test where namespaces can be created (root), and is skipped with a message elsewhere.
# Ends with one "N passed, N failed" line over all runs; exits non-zero if anything failed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
jobs="$(nproc)"
passed=0
failed=0

# run_suite NAME [--env VAR=VALUE]... [--exclude REGEX] CMAKE-ARGS...: configure, build and
# ctest in build/test-NAME. --env applies to ctest, so to every test and every binary a test
# starts (sanitizer options); --exclude skips the tests it matches (ctest -E).
run_suite() {
  local name="$1"
  shift
  local test_env=() ctest_args=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --env) test_env+=("$2") ;;
      --exclude) ctest_args+=(-E "$2") ;;
      *) break ;;
    esac
    shift 2
  done
  local build="$root/build/test-$name"
  echo "=== $name: configure and build (at ${SECONDS}s)"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$build" -j"$jobs"
  echo "=== $name: tests (at ${SECONDS}s)"
  local log="$build/ctest.log"
  local rc=0
  (cd "$build" && env "${test_env[@]}" ctest -j"$jobs" --timeout 300 --output-on-failure \
    "${ctest_args[@]}") 2>&1 | tee "$log" || rc=$?
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
san_backend=epoll # the backend the sanitizer suites use: io_uring where this kernel allows it
if cc -o "$probe_dir/probe" "$root/cmake/io_uring_probe.c" -luring 2>/dev/null && "$probe_dir/probe"; then
  run_suite io_uring -DCHAT_BACKEND=io_uring -DCMAKE_BUILD_TYPE=Release
  san_backend=io_uring
  first_suite=io_uring
else
  echo "=== io_uring: this kernel refuses io_uring (seccomp or old kernel); testing epoll only"
  first_suite=epoll
fi
# The first suite is a Release build, the one scripts/serve.sh (README's first command) and the
# benchmarks make: GCC 12 warns differently at -O3, and with -Werror such a warning is a broken
# serve.sh that a RelWithDebInfo or Debug build would never show.
if [ "$first_suite" = epoll ]; then
  run_suite epoll -DCHAT_BACKEND=epoll -DCMAKE_BUILD_TYPE=Release
else
  run_suite epoll -DCHAT_BACKEND=epoll
fi

# -- The cluster across network namespaces (real interfaces, not loopback): one test ----------
# Needs root (ip netns add); where namespaces cannot be created it prints SKIP and counts nothing.
echo "=== cluster-netns: three nodes in three network namespaces (build/test-$first_suite)"
netns_log="$root/build/cluster-netns.log"
if "$root/scripts/cluster-netns.sh" "$root/build/test-$first_suite" 2>&1 | tee "$netns_log"; then
  if grep -q '^SKIP:' "$netns_log"; then
    echo "=== cluster-netns: skipped (see the SKIP line above), not counted"
  else
    passed=$((passed + 1))
  fi
else
  failed=$((failed + 1))
fi

# -- Sanitizer suites: every option and suppression file is here -----------------------------
# Debug builds: under the sanitizers about half the compile time of RelWithDebInfo, with asserts
# on and stacks not inlined. A report ends its process at once (halt_on_error): the test fails.
san_dir="$root/tests/sanitizers"
asan_env=(
  --env "ASAN_OPTIONS=halt_on_error=1:detect_leaks=1"
  --env "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$san_dir/ubsan.supp"
)
tsan_env=(
  --env "TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$san_dir/tsan.supp"
)
# Skipped under asan: UBSan's vptr check needs a fresh pipe to read a vtable, and this test uses
# up every file descriptor on purpose, so the check fails on valid objects ("invalid vptr").
asan_skip="^ListenerTest\\.AcceptLoopSurvivesRunningOutOfDescriptors\$"

run_suite asan "${asan_env[@]}" --exclude "$asan_skip" \
  -DCHAT_SANITIZE=address -DCHAT_BACKEND="$san_backend" -DCMAKE_BUILD_TYPE=Debug

# TSan needs CAF instrumented too (see tests/sanitizers/tsan.supp): built once, then cached.
echo "=== tsan: instrumented libcaf_core"
if tsan_caf="$("$san_dir/build-tsan-caf.sh")"; then
  tsan_env+=(--env "LD_LIBRARY_PATH=$tsan_caf${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
  run_suite tsan "${tsan_env[@]}" \
    -DCHAT_SANITIZE=thread -DCHAT_BACKEND="$san_backend" -DCMAKE_BUILD_TYPE=Debug
else
  echo "=== tsan: could not build an instrumented libcaf_core; tsan suite not run (counted failed)"
  failed=$((failed + 1))
fi

# -- Fuzzing: each libFuzzer target for a bounded time on a copy of its seed corpus (clang) ------
echo "=== fuzz: 20 s per target"
fuzz_log="$root/build/fuzz.log"
"$root/scripts/fuzz.sh" 20 2>&1 | tee "$fuzz_log" | grep -E "^fuzz:|crash|ERROR" || true
fuzz_line="$(grep -E '^fuzz: [0-9]+ passed, [0-9]+ failed' "$fuzz_log" | tail -1)"
if [ -n "$fuzz_line" ]; then
  passed=$((passed + $(echo "$fuzz_line" | sed 's/fuzz: \([0-9]*\) passed.*/\1/')))
  failed=$((failed + $(echo "$fuzz_line" | sed 's/.* \([0-9]*\) failed.*/\1/')))
else
  echo "=== fuzz: did not run to the end (see $fuzz_log)"
  failed=$((failed + 1))
fi

echo
echo "total: $passed passed, $failed failed (${SECONDS}s)"
[ "$failed" = 0 ]
