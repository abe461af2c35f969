#include "apps/scenario/scenario_client.hpp"

namespace chat {

void scenario_inbox::push(scenario_event e) {
  std::lock_guard<std::mutex> guard{mutex_};
  events_.push_back(std::move(e));
  arrived_.notify_all();
}

std::optional<scenario_event> scenario_inbox::pop(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock{mutex_};
  for (;;) {
    if (!arrived_.wait_until(lock, deadline, [this] { return !events_.empty(); }))
      return std::nullopt;
    auto e = std::move(events_.front());
    events_.pop_front();
    if (e.closed || e.frame.type != static_cast<uint8_t>(frame_type::ping)) return e;
  }
}

client_observer::behavior_type scenario_observer(client_observer::pointer self,
                                                 std::shared_ptr<scenario_inbox> inbox) {
  return {
      [inbox](received_atom, const inbound_frame& f) {
        inbox->push({false, f, {}});
      },
      [self, inbox](closed_atom, std::string reason) {
        inbox->push({true, {}, std::move(reason)});
        self->quit();
      },
  };
}

} // namespace chat
