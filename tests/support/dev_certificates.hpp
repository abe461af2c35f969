// dev_certificates.hpp -- development certificates for the TLS tests, made by
// scripts/dev-cluster-ca.sh in a scratch directory: ca.pem signs server.pem (127.0.0.1 and
// localhost) and whatever else `extra` asks the script for (e.g. "--expired"); other/ca.pem is a
// second CA, which signs other/server.pem and which server.pem does not lead to. Needs
// CHAT_SOURCE_DIR.
#pragma once

#include "tests/support/scratch_dir.hpp"

#include <cstdlib>
#include <string>

namespace chat::test {

struct dev_certificates {
  explicit dev_certificates(const std::string& extra = {}) {
    auto script = std::string{CHAT_SOURCE_DIR} + "/scripts/dev-cluster-ca.sh";
    auto command = script + " " + dir.path + " server " + extra + " >/dev/null && " + script + " " +
                   dir.path + "/other server >/dev/null";
    made = !dir.path.empty() && std::system(command.c_str()) == 0;
  }
  std::string file(const std::string& name) const { return dir.path + "/" + name; }

  scratch_dir dir;
  bool made = false;
};

} // namespace chat::test
