#include "actors/incoming_parts.hpp"

#include "messages/counters.hpp"

namespace chat {

incoming_parts::~incoming_parts() {
  count(0);
}

void incoming_parts::count(std::size_t held_now) {
  if (held_now > held_) counters::add(counters::total::multipart_bytes_held, held_now - held_);
  if (held_now < held_) counters::add(counters::total::multipart_bytes_released, held_ - held_now);
  held_ = held_now;
}

v2::part_outcome incoming_parts::add(std::string_view payload, v2::reassembly_clock::time_point now,
                                     const v2::reassembly_limits& limits) {
  if (!messages_) messages_ = std::make_unique<v2::message_reassembly>(limits);
  auto outcome = messages_->add(payload, now);
  count(messages_->held_bytes());
  using kind = v2::part_outcome::kind;
  if (outcome.what == kind::complete) counters::add(counters::total::multipart_whole);
  if (outcome.what == kind::refused) counters::add(counters::total::multipart_dropped);
  return outcome;
}

std::vector<v2::expired_message> incoming_parts::expire(v2::reassembly_clock::time_point now) {
  if (!messages_) return {};
  auto dropped = messages_->expire(now);
  counters::add(counters::total::multipart_dropped, dropped.size());
  count(messages_->held_bytes());
  return dropped;
}

std::optional<v2::reassembly_clock::time_point> incoming_parts::next_expiry() const {
  if (!messages_) return std::nullopt;
  return messages_->next_expiry();
}

} // namespace chat
