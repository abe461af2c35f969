#!/usr/bin/env bash
# serve.sh -- builds chat-server (installing missing packages first) and runs it in the
# foreground on 127.0.0.1:7000, with the web chat page at http://127.0.0.1:8080/, keeping channel
# history in build/data. Extra arguments go to chat-server and win over these defaults, e.g.
# --port 7001, --http-port 8081, --data-dir DIR, --help.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
build="$root/build/release"
# A build folder made by another generator (older checkouts used Makefiles) cannot be reused.
if [ -f "$build/CMakeCache.txt" ] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$build/CMakeCache.txt"; then
  rm -rf "$build"
fi
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
  -DCMAKE_UNITY_BUILD=ON -DCHAT_EPOLL_TWIN=OFF >/dev/null
cmake --build "$build" --target chat-server chat-client -j"$(nproc)"
echo "starting chat-server; stop it with Ctrl-C"
exec "$build/apps/chat-server/chat-server" --data-dir="$root/build/data" --http-port=8080 "$@"
