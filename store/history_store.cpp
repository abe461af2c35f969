#include "store/history_store.hpp"

#include "store/journal.hpp"
#include "store/sqlite_db.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace chat::store {

namespace {

constexpr std::string_view schema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS streams(
  name TEXT PRIMARY KEY,
  epoch INTEGER NOT NULL,
  next_offset INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS messages(
  stream TEXT NOT NULL,
  offset INTEGER NOT NULL,
  time_ms INTEGER NOT NULL,
  sender TEXT NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY(stream, offset)) WITHOUT ROWID;
INSERT OR IGNORE INTO meta(key, value) VALUES('clean', 1);
)sql";

// After an unclean stop every stream may miss its last moments: each gets a new epoch, and the
// store is marked "in use" until close() marks it clean again. Returns the streams changed.
uint64_t begin_run(sqlite_db& db) {
  db.exec("BEGIN");
  auto clean = db.prepare("SELECT value FROM meta WHERE key = 'clean'");
  bool was_clean = clean.step() && clean.int64(0) == 1;
  uint64_t changed = 0;
  if (!was_clean) {
    std::vector<std::string> names;
    auto all = db.prepare("SELECT name FROM streams");
    while (all.step())
      names.push_back(all.text(0));
    auto update = db.prepare("UPDATE streams SET epoch = ?1 WHERE name = ?2");
    for (auto& name : names) {
      update.bind(1, static_cast<int64_t>(new_epoch())).bind(2, name);
      update.step();
      update.reset();
    }
    changed = names.size();
  }
  db.exec("UPDATE meta SET value = 0 WHERE key = 'clean'");
  db.exec("COMMIT");
  return changed;
}

std::string errno_text() {
  return std::strerror(errno);
}

} // namespace

uint64_t new_epoch() {
  static std::mutex mutex;
  static std::mt19937_64 random{std::random_device{}()};
  std::lock_guard<std::mutex> lock{mutex};
  uint64_t e = 0;
  while (e == 0 || e > static_cast<uint64_t>(INT64_MAX)) // SQLite stores signed 64-bit
    e = random();
  return e;
}

history_store::history_store(std::string data_dir, retention keep)
    : data_dir_(std::move(data_dir)), keep_(keep) {}

history_store::~history_store() {
  close();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::variant<std::shared_ptr<history_store>, std::string>
history_store::open(const std::string& data_dir, retention keep) {
  auto store = std::make_shared<history_store>(data_dir, keep);
  if (data_dir == memory_only) return store;
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return "cannot create data directory " + data_dir + ": " + ec.message();
  auto lock_path = data_dir + "/lock";
  store->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (store->lock_fd_ < 0)
    return "cannot write to data directory " + data_dir + ": " + errno_text();
  if (::flock(store->lock_fd_, LOCK_EX | LOCK_NB) != 0)
    return "data directory " + data_dir + " is in use by another chat-server";
  auto path = data_dir + "/history.db";
  try {
    auto writer = std::make_unique<sqlite_db>(path);
    writer->exec(schema);
    store->epochs_changed_ = begin_run(*writer);
    store->reader_ = std::make_unique<sqlite_db>(path);
    // The sweep runs a few times per retention age, at most every minute.
    auto every = std::clamp<std::chrono::milliseconds>(
        keep.max_age / 2, std::chrono::milliseconds{100}, std::chrono::minutes{1});
    store->journal_ = std::make_shared<journal>(std::move(writer), keep.max_age, every);
  } catch (const sqlite_error& e) {
    return "cannot use data directory " + data_dir + ": " + e.what();
  }
  return store;
}

std::shared_ptr<stream_log> history_store::stream(const std::string& name) {
  std::lock_guard<std::mutex> lock{mutex_};
  // Forget streams nobody holds any more, now and then, so the registry stays the size of what
  // is in use (every inbox a DM ever went to would otherwise stay listed).
  if (journal_ && streams_.size() >= next_prune_) {
    for (auto i = streams_.begin(); i != streams_.end();)
      i = i->second.expired() ? streams_.erase(i) : std::next(i);
    next_prune_ = std::max<std::size_t>(1024, 2 * streams_.size());
  }
  auto& slot = streams_[name];
  if (auto held = slot.lock()) return held;
  auto log = load(name);
  slot = log;
  if (!journal_) pinned_.push_back(log);
  return log;
}

std::shared_ptr<stream_log> history_store::fresh_stream(const std::string& name) const {
  return std::make_shared<stream_log>(name, new_epoch(), 1, std::deque<history_entry>{}, keep_,
                                      nullptr);
}

std::shared_ptr<stream_log> history_store::load(const std::string& name) {
  if (!journal_) return fresh_stream(name);
  // A stream dropped a moment ago may still have appends on their way to the disk.
  journal_->sync();
  try {
    auto row = reader_->prepare("SELECT epoch, next_offset FROM streams WHERE name = ?1");
    row.bind(1, name);
    if (!row.step()) {
      auto epoch = new_epoch();
      journal_->record({name, epoch, 1, 1, {}}); // the epoch outlives a stream that never spoke
      return std::make_shared<stream_log>(name, epoch, 1, std::deque<history_entry>{}, keep_,
                                          journal_);
    }
    auto epoch = static_cast<uint64_t>(row.int64(0));
    auto next = static_cast<uint64_t>(row.int64(1));
    auto oldest = wall_clock_ms() - keep_.max_age.count();
    auto rows = reader_->prepare("SELECT offset, time_ms, sender, text FROM messages WHERE stream "
                                 "= ?1 AND time_ms >= ?2 ORDER BY offset DESC LIMIT ?3");
    rows.bind(1, name).bind(2, oldest).bind(3, static_cast<int64_t>(keep_.max_messages));
    std::deque<history_entry> kept;
    // Newest first, and only the unbroken run that ends at next_offset - 1: a write that failed
    // leaves a hole (and a new epoch); what lies before a hole cannot be replayed gap-free.
    auto expect = next - 1;
    while (rows.step()) {
      auto offset = static_cast<uint64_t>(rows.int64(0));
      if (offset != expect) break;
      kept.push_front({offset, rows.int64(1), rows.text(2), rows.text(3)});
      --expect;
    }
    return std::make_shared<stream_log>(name, epoch, next, std::move(kept), keep_, journal_);
  } catch (const sqlite_error& e) {
    // The chat goes on without this stream's past; a new epoch says so to recovering clients.
    spdlog::error("history: cannot load #{}: {}; it starts a new epoch", name, e.what());
    return std::make_shared<stream_log>(name, new_epoch(), 1, std::deque<history_entry>{}, keep_,
                                        journal_);
  }
}

void history_store::close() {
  if (journal_) journal_->close();
}

void history_store::sync() {
  if (journal_) journal_->sync();
}

uint64_t history_store::written() const {
  return journal_ ? journal_->written() : 0;
}

} // namespace chat::store
