// bench_certs.hpp -- development certificates for chat-bench's TLS tests, made by
// scripts/dev-cluster-ca.sh in a scratch directory: ca.pem signs server.pem (127.0.0.1 and
// localhost); other/ca.pem is a second CA, which the server's certificate does not lead to.
#pragma once

#include "tests/support/scratch_dir.hpp"

#include <cstdlib>
#include <string>

namespace chat::test {

struct bench_certs {
  bench_certs() {
    auto script = std::string{CHAT_SOURCE_DIR} + "/scripts/dev-cluster-ca.sh";
    auto command = script + " " + dir.path + " server >/dev/null && " + script + " " + dir.path +
                   "/other >/dev/null";
    made = !dir.path.empty() && std::system(command.c_str()) == 0;
  }
  std::string file(const std::string& name) const { return dir.path + "/" + name; }

  scratch_dir dir;
  bool made = false;
};

} // namespace chat::test
