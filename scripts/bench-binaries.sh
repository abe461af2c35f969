# bench-binaries.sh -- sourced by the cluster benchmark scripts: sets $build, $server_bin and
# $bench_bin, from BUILD_DIR if given, else from a Release build in build/bench-cluster that it
# configures and builds (chat-server and chat-bench only).
if [ -n "${BUILD_DIR:-}" ]; then
  build="$(cd "$BUILD_DIR" && pwd)"
else
  build="$root/build/bench-cluster"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j"$(nproc)" --target chat-server chat-bench >/dev/null
fi
server_bin="$build/apps/chat-server/chat-server"
bench_bin="$build/apps/chat-bench/chat-bench"
[ -x "$server_bin" ] && [ -x "$bench_bin" ] || {
  echo "no chat-server/chat-bench in $build" >&2
  exit 2
}
