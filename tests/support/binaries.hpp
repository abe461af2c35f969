// binaries.hpp -- where tests find chat-server when they run it as a child process. The path of
// the build's own binary is compiled in (CHAT_SERVER_BIN, from CMake); the environment variable
// of the same name overrides it, which is how ctest runs one test binary against chat-server and
// against its epoll twin, chat-server-epoll, without compiling the test twice.
#pragma once

#include <cstdlib>
#include <string>

namespace chat::test {

inline std::string chat_server_bin() {
  const char* chosen = std::getenv("CHAT_SERVER_BIN");
  if (chosen != nullptr && *chosen != '\0') return chosen;
#ifdef CHAT_SERVER_BIN
  return CHAT_SERVER_BIN;
#else
  return "chat-server";
#endif
}

} // namespace chat::test
