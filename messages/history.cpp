#include "messages/history.hpp"

#include <tuple>

namespace chat {

bool operator==(const history_entry& a, const history_entry& b) {
  return std::tie(a.offset, a.time_ms, a.sender, a.text) ==
         std::tie(b.offset, b.time_ms, b.sender, b.text);
}
bool operator==(const replay_request& a, const replay_request& b) {
  return std::tie(a.mode, a.epoch, a.offset, a.count) ==
         std::tie(b.mode, b.epoch, b.offset, b.count);
}
bool operator==(const stream_position& a, const stream_position& b) {
  return std::tie(a.result, a.epoch, a.first, a.last, a.replayed) ==
         std::tie(b.result, b.epoch, b.first, b.last, b.replayed);
}
bool operator==(const history_page& a, const history_page& b) {
  return std::tie(a.epoch, a.entries, a.next_before) == std::tie(b.epoch, b.entries, b.next_before);
}

} // namespace chat
