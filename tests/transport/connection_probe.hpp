// connection_probe.hpp -- a connection_owner actor for transport tests: queues what its
// connection reports (frames, violations, the close) for the test thread to wait on.
#pragma once

#include "messages/interfaces.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace chat::test {

struct probe_event {
  enum class kind { frame, violated, closed } what;
  inbound_frame frame;
  std::string reason;
};

class probe_log {
public:
  void push(probe_event e) {
    std::lock_guard<std::mutex> guard{mutex_};
    events_.push_back(std::move(e));
    arrived_.notify_all();
  }
  std::optional<probe_event> next(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock<std::mutex> lock{mutex_};
    if (!arrived_.wait_for(lock, timeout, [this] { return !events_.empty(); })) return std::nullopt;
    auto e = std::move(events_.front());
    events_.pop_front();
    return e;
  }

private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<probe_event> events_;
};

// Field by field: GCC 12 at -O3 takes a braced {kind, {}, reason} for a read of an
// uninitialized string (-Wmaybe-uninitialized).
inline probe_event event(probe_event::kind what, const inbound_frame& f,
                         const std::string& reason) {
  probe_event e{what, {}, {}};
  e.frame = f;
  e.reason = reason;
  return e;
}

inline connection_owner::behavior_type connection_probe(connection_owner::pointer self,
                                                        std::shared_ptr<probe_log> log) {
  return {
      [log](received_atom, const inbound_frame& f) {
        log->push(event(probe_event::kind::frame, f, {}));
      },
      [log](violated_atom, const std::string& reason) {
        log->push(event(probe_event::kind::violated, {}, reason));
      },
      [self, log](closed_atom, const std::string& reason) {
        log->push(event(probe_event::kind::closed, {}, reason));
        self->quit();
      },
  };
}

} // namespace chat::test
