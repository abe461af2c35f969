// session_events.hpp -- what chat-client's main thread waits for: the LOGIN reply, the PONG
// that marks "all earlier replies are in", and the end of the connection.
// Written by the observer actor (any CAF worker), read by main(); thread-safe.
#pragma once

#include "messages/frame.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>

namespace chat {

class session_events {
public:
  // Returns true when the frame is the answer to drain(): main's own bookkeeping, not shown.
  bool on_frame(const inbound_frame& f);
  void on_closed(std::string reason);

  // The LOGIN reply's text, or nothing if the connection ended or the time ran out first.
  std::optional<std::string> wait_login(std::chrono::nanoseconds timeout);

  // The payload of a PING main sends; wait_drained() returns once its PONG has arrived.
  std::string next_drain_token();
  bool wait_drained(const std::string& token, std::chrono::nanoseconds timeout);

  // Waits until no frame has arrived for `quiet` (broadcasts reach us after our PONG when they
  // pass through the room), or `limit` has passed.
  void wait_quiet(std::chrono::milliseconds quiet, std::chrono::milliseconds limit);

  bool wait_closed(std::chrono::nanoseconds timeout);
  std::optional<std::string> closed_reason();

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<std::string> login_reply_;
  std::optional<std::string> closed_;
  std::string drained_;
  unsigned drain_count_ = 0;
  std::chrono::steady_clock::time_point last_frame_ = std::chrono::steady_clock::now();
};

} // namespace chat
