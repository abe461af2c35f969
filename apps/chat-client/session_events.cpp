#include "apps/chat-client/session_events.hpp"

namespace chat {

namespace {

constexpr std::string_view drain_prefix = "chat-client drain ";

} // namespace

bool session_events::on_frame(const inbound_frame& f) {
  std::lock_guard<std::mutex> guard{mutex_};
  last_frame_ = std::chrono::steady_clock::now();
  bool is_drain = f.type == static_cast<uint8_t>(frame_type::pong) &&
                  f.payload.compare(0, drain_prefix.size(), drain_prefix) == 0;
  if (is_drain)
    drained_ = f.payload;
  else if (f.type == static_cast<uint8_t>(frame_type::login) && !login_reply_)
    login_reply_ = f.payload;
  changed_.notify_all();
  return is_drain;
}

void session_events::on_closed(std::string reason) {
  std::lock_guard<std::mutex> guard{mutex_};
  closed_ = std::move(reason);
  changed_.notify_all();
}

std::optional<std::string> session_events::wait_login(std::chrono::nanoseconds timeout) {
  std::unique_lock<std::mutex> lock{mutex_};
  changed_.wait_for(lock, timeout, [this] { return login_reply_ || closed_; });
  return login_reply_;
}

std::string session_events::next_drain_token() {
  std::lock_guard<std::mutex> guard{mutex_};
  return std::string{drain_prefix} + std::to_string(++drain_count_);
}

bool session_events::wait_drained(const std::string& token, std::chrono::nanoseconds timeout) {
  std::unique_lock<std::mutex> lock{mutex_};
  return changed_.wait_for(lock, timeout, [&] { return drained_ == token || closed_; }) &&
         drained_ == token;
}

void session_events::wait_quiet(std::chrono::milliseconds quiet, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  std::unique_lock<std::mutex> lock{mutex_};
  while (!closed_) {
    auto quiet_at = last_frame_ + quiet;
    auto now = std::chrono::steady_clock::now();
    if (now >= quiet_at || now >= deadline) return;
    changed_.wait_until(lock, std::min(quiet_at, deadline));
  }
}

bool session_events::wait_closed(std::chrono::nanoseconds timeout) {
  std::unique_lock<std::mutex> lock{mutex_};
  return changed_.wait_for(lock, timeout, [this] { return closed_.has_value(); });
}

std::optional<std::string> session_events::closed_reason() {
  std::lock_guard<std::mutex> guard{mutex_};
  return closed_;
}

} // namespace chat
