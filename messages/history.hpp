// history.hpp -- the vocabulary of a stream's history (docs/PROTOCOL.md "History"): offsets,
// epochs, what a JOIN may ask to be replayed and what it was told. Shared by the store
// (store/), the channel and session actors, the version-2 codec and the client.
//
// A stream (a channel) numbers its messages 1, 2, 3, ...: the offset. Its epoch names one
// unbroken run of that numbering: when continuity is lost (the store wiped or lost writes, the
// stream made anew) the epoch changes, so (epoch, offset) never names two different messages.
#pragma once

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace chat {

// One kept message.
struct history_entry {
  uint64_t offset = 0;
  int64_t time_ms = 0; // when the channel accepted it, milliseconds since the Unix epoch
  std::string sender;
  std::string text;
};

// What a JOIN asks to be sent before live messages.
enum class replay_mode : uint8_t {
  none = 0,  // nothing: live messages only (still told the stream's position)
  since = 1, // every message after `offset` of `epoch`; if that cannot be done, the last `count`
  last = 2,  // the last `count` messages
};
struct replay_request {
  replay_mode mode = replay_mode::none;
  uint64_t epoch = 0;
  uint64_t offset = 0;
  uint32_t count = 0;
};

// How a JOIN's replay went.
enum class recovery : uint8_t {
  not_asked = 0,     // mode none
  replayed = 1,      // since: every message after the offset; last: the last `count`
  epoch_changed = 2, // since: the epoch is not the stream's; the last `count` were sent instead
  too_old = 3,       // since: messages after the offset are no longer kept; likewise
  future = 4,        // since: the offset was never handed out in this epoch; likewise
  unavailable = 5,   // this channel keeps no history (a clustered server, for now)
};
inline constexpr uint8_t last_recovery = 5;

// Where a stream stands: its epoch, the oldest and newest offset kept (last 0: none kept;
// first > last when everything kept was trimmed), and what a JOIN's replay did.
struct stream_position {
  recovery result = recovery::not_asked;
  uint64_t epoch = 0;
  uint64_t first = 0;
  uint64_t last = 0;
  uint32_t replayed = 0;
};

// One page of HISTORY, newest last; `next_before` is the offset to ask "before" next (0: no
// older message is kept).
struct history_page {
  uint64_t epoch = 0;
  std::vector<history_entry> entries;
  uint64_t next_before = 0;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, history_entry& x) {
  return f(caf::meta::type_name("chat::history_entry"), x.offset, x.time_ms, x.sender, x.text);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, replay_request& x) {
  return f(caf::meta::type_name("chat::replay_request"), x.mode, x.epoch, x.offset, x.count);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_position& x) {
  return f(caf::meta::type_name("chat::stream_position"), x.result, x.epoch, x.first, x.last,
           x.replayed);
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, history_page& x) {
  return f(caf::meta::type_name("chat::history_page"), x.epoch, x.entries, x.next_before);
}

bool operator==(const history_entry& a, const history_entry& b);
bool operator==(const replay_request& a, const replay_request& b);
bool operator==(const stream_position& a, const stream_position& b);
bool operator==(const history_page& a, const history_page& b);

} // namespace chat
