// reliability_checks.cpp -- the checks of reliability_support.hpp: next_frame_is and log_in as
// GoogleTest assertions, a frame printed for their messages, and readings of the server's /proc
// entries (open files and sockets, memory, liveness). Built into chat_raw_client, which the
// process tests link.
#include "tests/process/reliability_support.hpp"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace chat::reliability {

std::ostream& operator<<(std::ostream& out, const frame& f) {
  out << "{type " << int{f.type} << ", " << f.payload.size() << " bytes \"";
  static constexpr char hex[] = "0123456789abcdef";
  std::size_t shown = std::min<std::size_t>(f.payload.size(), 80);
  for (std::size_t i = 0; i < shown; ++i) {
    auto c = static_cast<unsigned char>(f.payload[i]);
    if (c >= 0x20 && c < 0x7F && c != '\\')
      out << static_cast<char>(c);
    else
      out << "\\x" << hex[c >> 4] << hex[c & 0xF];
  }
  return out << (shown < f.payload.size() ? "...\"}" : "\"}");
}

// -- /proc ------------------------------------------------------------------------------------

std::optional<std::size_t> open_fd_count(pid_t pid) {
  auto path = "/proc/" + std::to_string(pid) + "/fd";
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return std::nullopt;
  std::size_t count = 0;
  while (auto* entry = ::readdir(dir))
    if (entry->d_name[0] != '.') ++count;
  ::closedir(dir);
  return count;
}

std::optional<std::size_t> open_socket_count(pid_t pid) {
  auto path = "/proc/" + std::to_string(pid) + "/fd";
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return std::nullopt;
  std::size_t count = 0;
  while (auto* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    char target[64] = {};
    auto link = path + '/' + entry->d_name;
    auto n = ::readlink(link.c_str(), target, sizeof target - 1);
    if (n > 0 && std::string_view{target, static_cast<std::size_t>(n)}.rfind("socket:", 0) == 0)
      ++count;
  }
  ::closedir(dir);
  return count;
}

std::optional<long> status_kib(pid_t pid, std::string_view field) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > field.size() && line.compare(0, field.size(), field) == 0 &&
        line[field.size()] == ':') {
      std::istringstream values{line.substr(field.size() + 1)};
      long kib = -1;
      if (values >> kib) return kib;
    }
  }
  return std::nullopt;
}

bool process_alive(pid_t pid) {
  if (::kill(pid, 0) != 0) return false;
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string stat;
  std::getline(in, stat);
  auto paren = stat.rfind(')'); // "pid (comm) S ..."
  return paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] != 'Z';
}

// -- assertions -------------------------------------------------------------------------------

testing::AssertionResult next_frame_is(raw_client& c, const frame& expected, milliseconds timeout) {
  auto got = c.read_frame(timeout);
  if (!got)
    return testing::AssertionFailure() << "expected " << expected << ", got none: " << c.failure();
  if (*got != expected)
    return testing::AssertionFailure() << "expected " << expected << ", got " << *got;
  return testing::AssertionSuccess();
}

testing::AssertionResult log_in(raw_client& c, const std::string& name) {
  if (!c.connected()) return testing::AssertionFailure() << name << ": " << c.failure();
  if (!c.send_frame(type::login, name))
    return testing::AssertionFailure() << name << ": " << c.failure();
  return next_frame_is(c, {type::login, "Login OK"}) << " (logging in as " << name << ")";
}

} // namespace chat::reliability
