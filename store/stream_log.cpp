#include "store/stream_log.hpp"

#include "store/journal.hpp"

#include <algorithm>

namespace chat::store {

int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

stream_log::stream_log(std::string name, uint64_t epoch, uint64_t next_offset,
                       std::deque<history_entry> kept, retention keep,
                       std::shared_ptr<journal> journal)
    : name_(std::move(name)), epoch_(epoch), keep_(keep), journal_(std::move(journal)),
      next_offset_(next_offset), kept_(std::move(kept)) {}

uint64_t stream_log::next_offset() const {
  std::lock_guard<std::mutex> lock{mutex_};
  return next_offset_;
}

std::size_t stream_log::kept() const {
  std::lock_guard<std::mutex> lock{mutex_};
  return kept_.size();
}

void stream_log::trim(int64_t now_ms) {
  auto oldest = now_ms - keep_.max_age.count();
  while (!kept_.empty() && (kept_.size() > keep_.max_messages || kept_.front().time_ms < oldest))
    kept_.pop_front();
}

void stream_log::append(std::vector<history_entry>& entries, int64_t now_ms) {
  if (entries.empty()) return;
  std::lock_guard<std::mutex> lock{mutex_};
  auto first = entries.front().offset;
  next_offset_ = entries.back().offset + 1;
  // One copy of each message, here: the journal reads it from kept_ (visit) when it writes.
  kept_.insert(kept_.end(), std::make_move_iterator(entries.begin()),
               std::make_move_iterator(entries.end()));
  entries.clear();
  trim(now_ms);
  if (!journal_) return;
  auto keep_from = kept_.empty() ? next_offset_ : kept_.front().offset;
  journal_->record({name_, epoch_, next_offset_, keep_from, shared_from_this(), first});
}

std::vector<history_entry> stream_log::take_all(int64_t now_ms) {
  std::lock_guard<std::mutex> lock{mutex_};
  trim(now_ms); // what retention dropped is not handed over either
  std::vector<history_entry> all{std::make_move_iterator(kept_.begin()),
                                 std::make_move_iterator(kept_.end())};
  kept_.clear();
  if (journal_ && !all.empty())
    journal_->record({name_, epoch_, next_offset_, next_offset_, nullptr, next_offset_});
  return all;
}

stream_position stream_log::where() const {
  stream_position p;
  p.epoch = epoch_;
  p.last = next_offset_ - 1;
  p.first = kept_.empty() ? next_offset_ : kept_.front().offset;
  return p;
}

stream_position stream_log::position(int64_t now_ms) {
  std::lock_guard<std::mutex> lock{mutex_};
  trim(now_ms);
  return where();
}

std::vector<history_entry> stream_log::last(std::size_t n) const {
  n = std::min(n, kept_.size());
  return {kept_.end() - static_cast<std::ptrdiff_t>(n), kept_.end()};
}

replay stream_log::take_replay(const replay_request& ask, int64_t now_ms) {
  std::lock_guard<std::mutex> lock{mutex_};
  trim(now_ms);
  replay r;
  r.position = where();
  auto& p = r.position;
  switch (ask.mode) {
  case replay_mode::none:
    break;
  case replay_mode::last:
    p.result = recovery::replayed;
    r.entries = last(ask.count);
    break;
  case replay_mode::since:
    if (ask.epoch != epoch_)
      p.result = recovery::epoch_changed;
    else if (ask.offset > p.last)
      p.result = recovery::future;
    else if (ask.offset + 1 < p.first)
      p.result = recovery::too_old;
    else
      p.result = recovery::replayed;
    if (p.result == recovery::replayed) {
      // Offsets are consecutive, so the entries after ask.offset start at a known index.
      auto skip = static_cast<std::ptrdiff_t>(ask.offset + 1 - p.first);
      r.entries.assign(kept_.begin() + skip, kept_.end());
    } else {
      r.entries = last(ask.count); // what the client shows instead of what it missed
    }
    break;
  }
  p.replayed = static_cast<uint32_t>(r.entries.size());
  return r;
}

history_page stream_log::page(uint64_t before, uint16_t limit, int64_t now_ms) {
  std::lock_guard<std::mutex> lock{mutex_};
  trim(now_ms);
  history_page page;
  page.epoch = epoch_;
  if (kept_.empty()) return page;
  auto first = kept_.front().offset;
  // Entries [first, end) are below `end`; an offset past the newest means "from the newest".
  auto end = before == 0 || before > next_offset_ ? next_offset_ : before;
  if (end <= first) return page;
  auto stop = static_cast<std::ptrdiff_t>(end - first);
  auto start = std::max<std::ptrdiff_t>(0, stop - limit);
  page.entries.assign(kept_.begin() + start, kept_.begin() + stop);
  if (start > 0) page.next_before = kept_[static_cast<std::size_t>(start)].offset;
  return page;
}

} // namespace chat::store
