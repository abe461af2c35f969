// stream_log.hpp -- the history of one stream (a channel) as it is kept in memory: its epoch,
// the next offset to hand out, and the messages retention keeps. The channel that owns the
// stream appends one batch per delivery and answers replays and HISTORY pages from it;
// history_store makes it (loading what the disk kept) and the journal persists each append.
// Thread-safe: its channel and the store may use it at once.
#pragma once

#include "messages/history.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace chat::store {

class journal;

// What a stream keeps: at most this many messages, none older than this. Both are applied at
// every append and every read, so neither needs a sweep that would pause the channel.
struct retention {
  uint32_t max_messages = 10000;
  std::chrono::milliseconds max_age = std::chrono::hours{24};
};

// A replay decided and taken in one step, so no message falls between it and live delivery.
struct replay {
  stream_position position;
  std::vector<history_entry> entries;
};

class stream_log : public std::enable_shared_from_this<stream_log> {
public:
  // `kept`: what the store still has, oldest first, offsets increasing and below next_offset.
  // `journal`: where appends are persisted; none for a memory-only store.
  stream_log(std::string name, uint64_t epoch, uint64_t next_offset, std::deque<history_entry> kept,
             retention keep, std::shared_ptr<journal> journal);

  const std::string& name() const { return name_; }
  uint64_t epoch() const { return epoch_; }

  // The offset the next appended message gets.
  uint64_t next_offset() const;

  // Entries with offsets next_offset(), next_offset() + 1, ... (the caller numbered them so),
  // moved out of `entries`, which is left empty with its capacity (the channel's next batch
  // reuses it). With a journal, the log must be owned by a shared_ptr: the journal reads the
  // new entries from it when it writes them.
  void append(std::vector<history_entry>& entries, int64_t now_ms);
  void append(std::vector<history_entry>&& entries, int64_t now_ms) { append(entries, now_ms); }

  // Entries [from, to) still kept, in offset order, each given to `f` under the log's lock (the
  // journal encodes them for the disk; keep `f` short, the channel may be waiting).
  template <class F> void visit(uint64_t from, uint64_t to, F&& f) const {
    std::lock_guard<std::mutex> lock{mutex_};
    if (kept_.empty()) return;
    auto first = kept_.front().offset;
    for (auto i = from > first ? from - first : 0; i < kept_.size() && kept_[i].offset < to; ++i)
      f(kept_[i]);
  }

  // The stream's position, with result `not_asked`.
  stream_position position(int64_t now_ms);

  // What `ask` gets (see replay_mode): at most `max_count` entries for mode `last` and for the
  // fallback of a `since` that cannot be served.
  replay take_replay(const replay_request& ask, int64_t now_ms);

  // Up to `limit` entries before offset `before` (0: the newest), oldest first.
  history_page page(uint64_t before, uint16_t limit, int64_t now_ms);

  // Removes and returns everything kept (an inbox handing its messages over); offsets go on.
  std::vector<history_entry> take_all(int64_t now_ms);

  // For tests and the store's accounting.
  std::size_t kept() const;

private:
  void trim(int64_t now_ms); // under mutex_
  std::vector<history_entry> last(std::size_t n) const;
  stream_position where() const;

  const std::string name_;
  const uint64_t epoch_;
  const retention keep_;
  const std::shared_ptr<journal> journal_;
  mutable std::mutex mutex_;
  uint64_t next_offset_;
  std::deque<history_entry> kept_;
};

// Milliseconds since the Unix epoch: the clock of history entries and their retention.
int64_t wall_clock_ms();

} // namespace chat::store
