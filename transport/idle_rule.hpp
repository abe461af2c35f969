// idle_rule.hpp -- what a listener's sweep does with one connection's silence (docs/PROTOCOL.md
// "Bounds"): a PING after --idle-interval, ERROR "idle timeout" and a close after --idle-timeout.
// One rule for every transport: the TCP listener, the UDP endpoint and the WebSocket gateway each
// sweep their connections with it, on one timer for all of them.
#pragma once

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace chat::transport {

enum class idle_step { none, probe, close };

// The step for a connection last heard at `last_read_ns`, probed during this silence at
// `probed_ns` (not probed if probed_ns <= last_read_ns), swept at `now_ns`. A peer that can be
// probed is never closed unprobed: when the sweep runs late (an overloaded server) and finds it
// already past the timeout, it is probed now and still gets the interval..timeout grace to answer,
// the same grace a punctual sweep gives.
template <class Policy>
idle_step next_idle_step(int64_t last_read_ns, int64_t probed_ns, int64_t now_ns,
                         const Policy& policy, bool can_probe) {
  using std::chrono::nanoseconds;
  auto interval = std::chrono::duration_cast<nanoseconds>(policy.idle_interval).count();
  auto timeout = std::chrono::duration_cast<nanoseconds>(policy.idle_timeout).count();
  auto idle = now_ns - last_read_ns;
  if (!can_probe) return idle >= timeout ? idle_step::close : idle_step::none;
  if (probed_ns <= last_read_ns)
    return idle >= std::min(interval, timeout) ? idle_step::probe : idle_step::none;
  auto grace = std::max<int64_t>(timeout - interval, 0);
  return idle >= timeout && now_ns - probed_ns >= grace ? idle_step::close : idle_step::none;
}

// `Connection` has last_read_ns(), a mutable idle_probe_ns, send(frame), close() and peer();
// `Policy` is a listener_policy (idle_interval, idle_timeout, idle_probe, idle_farewell).
template <class Connection, class Policy>
void apply_idle_rule(Connection& c, int64_t now_ns, const Policy& policy) {
  auto last_read = c.last_read_ns();
  switch (
      next_idle_step(last_read, c.idle_probe_ns, now_ns, policy, policy.idle_probe.has_value())) {
  case idle_step::none:
    return;
  case idle_step::probe:
    c.idle_probe_ns = now_ns; // one probe per silence: the next one after the peer spoke again
    c.send(*policy.idle_probe);
    return;
  case idle_step::close:
    spdlog::info("idle timeout peer={} silent_ms={}", c.peer(), (now_ns - last_read) / 1'000'000);
    if (policy.idle_farewell) c.send(*policy.idle_farewell);
    c.close();
    return;
  }
}

// How often to sweep: a quarter of the shorter bound, within 10 ms .. 1 s.
template <class Policy> std::chrono::milliseconds idle_sweep_period(const Policy& policy) {
  using std::chrono::milliseconds;
  return std::clamp<milliseconds>(std::min(policy.idle_interval, policy.idle_timeout) / 4,
                                  milliseconds{10}, milliseconds{1000});
}

} // namespace chat::transport
