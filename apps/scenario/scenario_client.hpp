// scenario_client.hpp -- the receiving end of one scripted client: an observer actor that
// queues what its client_session reports, and the queue the runner waits on.
// Internal to scenario_runner.
#pragma once

#include "messages/interfaces.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace chat {

struct scenario_event {
  bool closed = false;
  inbound_frame frame; // when !closed
  std::string reason;  // when closed
};

class scenario_inbox {
public:
  void push(scenario_event e);
  // The next event, skipping the server's PINGs (client_session has answered them already);
  // nothing if none arrived by `deadline`.
  std::optional<scenario_event> pop(std::chrono::steady_clock::time_point deadline);

private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<scenario_event> events_;
};

// Forwards every frame and the close of one client_session into `inbox`.
client_observer::behavior_type scenario_observer(client_observer::pointer self,
                                                 std::shared_ptr<scenario_inbox> inbox);

} // namespace chat
