#include "actors/client_parts.hpp"

namespace chat {

void client_parts::on_hello(const v2::hello_reply& hello) {
  if (hello.version < v2::multipart_version || hello.limits.max_frame == 0) {
    splitter_.reset();
    return;
  }
  max_frame_ = hello.limits.max_frame;
  limits_.max_message = hello.limits.max_message;
  limits_.max_parts = hello.limits.max_parts;
  // Ids go on from where an earlier HELLO left them: never reused on this connection.
  auto next_id = splitter_ ? splitter_->next_id() : 0;
  splitter_.emplace(
      v2::message_splitter::limits{max_frame_, limits_.max_message, limits_.max_parts}, next_id);
}

bool client_parts::queue(const frame& f) {
  if (!splitter_ || bytes(f).size() - header_size <= max_frame_) return false;
  auto split = splitter_->split(type_of(f), payload_of(f));
  auto* parts = std::get_if<std::vector<frame>>(&split);
  if (parts == nullptr) return false;
  queued_.insert(queued_.end(), std::make_move_iterator(parts->begin()),
                 std::make_move_iterator(parts->end()));
  return true;
}

std::optional<frame> client_parts::next_part() {
  if (queued_.empty()) return std::nullopt;
  auto f = std::move(queued_.front());
  queued_.pop_front();
  return f;
}

v2::part_outcome client_parts::add(std::string_view payload, v2::reassembly_clock::time_point now,
                                   bool datagrams) {
  if (!incoming_) {
    auto limits = limits_;
    limits.newest_wins = datagrams;
    incoming_ = std::make_unique<v2::message_reassembly>(limits);
  }
  return incoming_->add(payload, now);
}

std::vector<v2::expired_message> client_parts::expire(v2::reassembly_clock::time_point now) {
  return incoming_ ? incoming_->expire(now) : std::vector<v2::expired_message>{};
}

std::optional<v2::reassembly_clock::time_point> client_parts::next_expiry() const {
  return incoming_ ? incoming_->next_expiry() : std::nullopt;
}

} // namespace chat
