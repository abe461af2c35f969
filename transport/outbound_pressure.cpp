#include "transport/outbound_pressure.hpp"

namespace chat::transport {

void outbound_pressure::press() {
  std::lock_guard<std::mutex> guard{mutex_};
  if (pressing_++ == 0) pressed_.store(true, std::memory_order_release);
}

void outbound_pressure::release() {
  std::vector<std::function<void()>> resume;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    if (pressing_ == 0 || --pressing_ > 0) return;
    pressed_.store(false, std::memory_order_release);
    resume.swap(waiting_);
  }
  for (auto& f : resume) // outside the lock: a resumed reader may press at once
    f();
}

bool outbound_pressure::pressed() const {
  return pressed_.load(std::memory_order_acquire);
}

bool outbound_pressure::defer(std::function<void()> resume) {
  std::lock_guard<std::mutex> guard{mutex_};
  if (pressing_ == 0) return false;
  waiting_.push_back(std::move(resume));
  return true;
}

std::size_t outbound_pressure::pressing() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return pressing_;
}

} // namespace chat::transport
