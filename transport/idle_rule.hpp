// idle_rule.hpp -- what a listener's sweep does with one connection's silence (docs/PROTOCOL.md
// "Bounds"): a PING after --idle-interval, ERROR "idle timeout" and a close after --idle-timeout.
// One rule for every transport: the TCP listener and the UDP endpoint each sweep their
// connections with it, on one timer for all of them.
#pragma once

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace chat::transport {

// `Connection` has last_read_ns(), a mutable idle_probe_ns, send(frame), close() and peer();
// `Policy` is a listener_policy (idle_interval, idle_timeout, idle_probe, idle_farewell).
template <class Connection, class Policy>
void apply_idle_rule(Connection& c, int64_t now_ns, const Policy& policy) {
  using std::chrono::nanoseconds;
  auto interval = std::chrono::duration_cast<nanoseconds>(policy.idle_interval).count();
  auto timeout = std::chrono::duration_cast<nanoseconds>(policy.idle_timeout).count();
  auto idle = now_ns - c.last_read_ns();
  if (idle >= timeout) {
    spdlog::info("idle timeout peer={} silent_ms={}", c.peer(), idle / 1'000'000);
    if (policy.idle_farewell) c.send(*policy.idle_farewell);
    c.close();
  } else if (idle >= interval && c.idle_probe_ns <= c.last_read_ns()) {
    c.idle_probe_ns = now_ns; // one probe per silence: the next one after the peer spoke again
    if (policy.idle_probe) c.send(*policy.idle_probe);
  }
}

// How often to sweep: a quarter of the shorter bound, within 10 ms .. 1 s.
template <class Policy> std::chrono::milliseconds idle_sweep_period(const Policy& policy) {
  using std::chrono::milliseconds;
  return std::clamp<milliseconds>(std::min(policy.idle_interval, policy.idle_timeout) / 4,
                                  milliseconds{10}, milliseconds{1000});
}

} // namespace chat::transport
