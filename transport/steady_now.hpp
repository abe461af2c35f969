// steady_now.hpp -- the transport's one clock reading: steady-clock nanoseconds as a plain
// integer, so timestamps fit in atomics and cost nothing to compare.
// Used by tcp_connection (idleness, write progress) and listener (the idle sweep).
#pragma once

#include <chrono>
#include <cstdint>

namespace chat::transport {

inline int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

} // namespace chat::transport
