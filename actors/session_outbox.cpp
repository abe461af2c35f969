#include "actors/session_outbox.hpp"

namespace chat {

void session_outbox::deliver(const frame_batch& batch) {
  std::lock_guard<std::mutex> guard{mutex_};
  switch (gate_) {
  case gate::open:
    return conn_->send(batch); // the connection's own bound cuts a slow consumer
  case gate::held:
    if (held_.size() < max_held) return held_.push_back(batch); // shares the batch
    held_.clear();
    gate_ = gate::overflowed;
    return;
  case gate::overflowed:
  case gate::closed:
    return;
  }
}

bool session_outbox::open() {
  std::lock_guard<std::mutex> guard{mutex_};
  if (gate_ != gate::held) return gate_ == gate::open;
  for (auto& batch : held_)
    conn_->send(batch);
  held_.clear();
  held_.shrink_to_fit();
  gate_ = gate::open;
  return true;
}

void session_outbox::close() {
  std::lock_guard<std::mutex> guard{mutex_};
  gate_ = gate::closed;
  held_.clear();
}

} // namespace chat
