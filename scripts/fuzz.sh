#!/usr/bin/env bash
# fuzz.sh -- builds the libFuzzer targets (clang, build/fuzz) and runs each for $1 seconds
# (default 60) on a copy of tests/fuzz/corpus, installing missing packages first.
# Targets run one per core at a time (each is one single-threaded process, so each still gets a
# core for its whole time); their reports follow in the order below, once all have ended.
# Ends with one "fuzz: N passed, N failed" line; exits non-zero if any target found a crash,
# after printing the crashing input in hex. Corpus growth and crash files stay in build/fuzz.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-60}"
# install-deps.sh installs the project's packages when sourced; its function adds clang's.
source "$root/scripts/install-deps.sh"
install_missing_packages clang-14 libclang-rt-14-dev

build="$root/build/fuzz"
targets=(frame_decoder_fuzz session_fuzz v2_payload_fuzz protocol_json_fuzz token_fuzz
  tls_session_fuzz multipart_fuzz udp_gate_fuzz)
echo "=== fuzz: configure and build (clang-14)"
# A build folder made by another generator (older checkouts used Makefiles) cannot be reused.
if [ -f "$build/CMakeCache.txt" ] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$build/CMakeCache.txt"; then
  rm -rf "$build"
fi
CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_UNITY_BUILD=ON -DCHAT_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

# run_target NAME: NAME_fuzz on build/fuzz/corpus/NAME (seeded from the repo, kept between runs).
# Writes its report to build/fuzz/NAME_fuzz.report and exits non-zero if the target failed.
run_target() {
  local target="$1"
  local name="${target%_fuzz}"
  local corpus="$build/corpus/$name"
  local artifacts="$build/artifacts/$name"
  local log="$build/$target.log"
  mkdir -p "$corpus" "$artifacts"
  cp -n "$root/tests/fuzz/corpus/$name/"* "$corpus/" 2>/dev/null || true
  rm -f "$artifacts"/*
  exec >"$build/$target.report" 2>&1
  echo "=== $target: ${seconds}s"
  local rc=0
  UBSAN_OPTIONS=print_stacktrace=1 "$build/tests/fuzz/$target" -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts/" -print_final_stats=1 \
    "$corpus" >"$log" 2>&1 || rc=$?
  grep -E '^#[0-9]+.*(DONE|pulse)' "$log" | tail -1 || true
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
  local found=("$artifacts"/*)
  if [ "$rc" = 0 ] && [ ! -e "${found[0]}" ]; then return 0; fi
  echo "--- $target failed (exit $rc); from $log:"
  if grep -qE 'ERROR: |runtime error' "$log"; then
    sed -n '/ERROR: \|runtime error/,$p' "$log" | head -n 60
  else
    tail -n 40 "$log"
  fi
  for f in "${found[@]}"; do
    [ -e "$f" ] || continue
    echo "--- input $f ($(stat -c %s "$f") bytes), hex:"
    od -An -tx1 -v "$f"
    echo "--- reproduce: $build/tests/fuzz/$target $f"
  done
  return 1
}

for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n || true; done
  rm -f "$build/$t.rc"
  (
    rc=0
    run_target "$t" || rc=$?
    echo "$rc" >"$build/$t.rc"
  ) &
done
wait
passed=0
failed=0
for t in "${targets[@]}"; do
  cat "$build/$t.report" 2>/dev/null || echo "--- $t: no report"
  if [ "$(cat "$build/$t.rc" 2>/dev/null)" = 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done

echo
echo "fuzz: $passed passed, $failed failed"
[ "$failed" = 0 ]
