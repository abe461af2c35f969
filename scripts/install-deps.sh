#!/usr/bin/env bash
# install-deps.sh -- installs the Debian 12 packages the build and tests need, only those missing.
# Sourced by serve.sh and test.sh; safe to run again (does nothing when all are present).
set -euo pipefail

chat_packages=(
  gcc g++ cmake make pkg-config         # toolchain
  libcaf-dev                            # CAF 0.17: actors (core), distribution (io), TLS (openssl)
  libcaf-openssl0.17                    # CAF's TLS middleman: authenticated cluster links
  libboost1.81-dev                      # Boost.Asio (header-only)
  libboost-json1.81-dev                 # JSON form of the protocol: part of our Boost, parses with
                                        # depth/memory limits, fast serializer (no nlohmann-json)
  liburing-dev                          # Asio's io_uring backend
  libspdlog-dev                         # logging
  libedit-dev                           # chat-client line editing (BSD licence, unlike readline)
  liblmdb-dev                           # channel history on disk (README "Why LMDB")
  libssl-dev                            # login tokens: HMAC, Ed25519, RSA (auth/; OpenSSL 3)
  openssl                               # scripts/dev-cluster-ca.sh: cluster CA and node certificates
  tmux                                  # tests drive chat-client under a real terminal
  chromium chromium-driver python3-selenium # tests/browser: the web page in headless Chromium
  python3-prometheus-client             # web_tests: /metrics read by Prometheus's own parser
  libgtest-dev                          # unit and integration tests
  libasan8 libubsan1 libtsan2           # gcc 12's sanitizer runtimes (test.sh's asan, tsan suites)
  libbenchmark-dev                      # micro-benchmarks
  iproute2                              # ip netns: scripts/cluster-netns.sh (test.sh, as root)
  ninja-build lld                       # faster builds: ninja schedules, lld links (test.sh)
  ccache                                # a second test.sh run recompiles only what changed
)

install_missing_packages() {
  local missing=()
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  echo "installing missing packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_missing_packages "${chat_packages[@]}"
