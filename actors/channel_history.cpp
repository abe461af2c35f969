#include "actors/channel_history.hpp"

#include "messages/errors.hpp"
#include "messages/protocol_v2.hpp"
#include "store/stream_log.hpp"

namespace chat {

bool keeps_history(channel_ptr self) {
  return self->state.options.history != nullptr; // never loaded in a cluster (channel.cpp)
}

uint64_t number_message(channel_ptr self, const std::string& user, const std::string& text) {
  auto& st = self->state;
  if (!keeps_history(self)) return 0;
  // The channel is the log's only writer: what it appended, then what it holds back.
  auto offset = st.options.history->next_offset() + st.unpersisted.size();
  st.unpersisted.push_back({offset, store::wall_clock_ms(), user, text});
  return offset;
}

void persist(channel_ptr self) {
  auto& st = self->state;
  if (st.unpersisted.empty()) return;
  st.options.history->append(std::move(st.unpersisted), store::wall_clock_ms());
  st.unpersisted = {};
}

stream_position replay_for(channel_ptr self, const replay_request& ask, member_outbox& outbox) {
  auto& st = self->state;
  if (!keeps_history(self)) return {recovery::unavailable, 0, 0, 0, 0};
  // join() delivered the pending batch, so every message accepted so far is in the log.
  auto replay = st.options.history->take_replay(ask, store::wall_clock_ms());
  if (!replay.entries.empty()) {
    std::vector<frame> frames;
    frames.reserve(replay.entries.size());
    for (auto& e : replay.entries)
      frames.push_back(v2::encode(
          v2::msg_delivery{st.options.name, std::move(e.sender), std::move(e.text), e.offset}));
    outbox.deliver(frame_batch{std::move(frames)});
  }
  return replay.position;
}

caf::result<history_page> history_page_of(channel_ptr self, uint64_t before, uint16_t limit) {
  // Only what was delivered: a message still in the pending batch reaches members live.
  if (!keeps_history(self)) return make_error(errc::no_history, self->state.options.name);
  return self->state.options.history->page(before, limit, store::wall_clock_ms());
}

} // namespace chat
