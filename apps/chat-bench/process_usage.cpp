#include "apps/chat-bench/process_usage.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace chat::bench {

std::optional<uint64_t> process_cpu_ns(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // Field 2, the command, is in parentheses and may hold spaces: count fields after the last ')'.
  auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields{line.substr(close + 1)};
  std::string skip;
  for (int field = 3; field < 14; ++field) // state .. cmajflt
    fields >> skip;
  uint64_t utime = 0, stime = 0;
  if (!(fields >> utime >> stime)) return std::nullopt;
  auto ticks = sysconf(_SC_CLK_TCK);
  if (ticks <= 0) return std::nullopt;
  return (utime + stime) * (uint64_t{1000000000} / static_cast<uint64_t>(ticks));
}

std::optional<uint64_t> process_rss_kib(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(in, line)) { // a few dozen lines
    if (line.compare(0, 6, "VmRSS:") != 0) continue;
    std::istringstream value{line.substr(6)};
    uint64_t kib = 0;
    if (value >> kib) return kib;
  }
  return std::nullopt;
}

uint64_t own_cpu_ns() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ns = [](const timeval& t) {
    return static_cast<uint64_t>(t.tv_sec) * 1000000000u + static_cast<uint64_t>(t.tv_usec) * 1000u;
  };
  return ns(usage.ru_utime) + ns(usage.ru_stime);
}

} // namespace chat::bench
