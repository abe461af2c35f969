#include "store/history_store.hpp"

#include "store/history_layout.hpp"
#include "store/journal.hpp"

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

// The most the history file may grow to. LMDB maps it whole, so this is address space, not
// memory; the file grows only as history is written. A store that reaches it fails its writes
// like a full disk (logged; the next start changes the epochs).
constexpr std::size_t map_bytes = std::size_t{64} << 30;

// After an unclean stop every stream may miss its last moments: each gets a new epoch, and the
// store is marked "in use" until close() marks it clean again. Returns the streams changed.
uint64_t begin_run(const lmdb_env& env, const history_tables& tables) {
  lmdb_txn txn{env, lmdb_txn::mode::write};
  std::string_view clean;
  // A new store has no mark yet, and nothing to lose.
  bool was_clean = !txn.get(tables.meta, "clean", clean) || clean == std::string_view{"\1", 1};
  uint64_t changed = 0;
  if (!was_clean) {
    lmdb_cursor streams{txn, tables.streams};
    for (bool more = streams.first(); more; more = streams.next()) {
      auto row = read_stream(streams.value());
      row.epoch = new_epoch();
      streams.put(streams.key(), stream_value(row));
      ++changed;
    }
  }
  txn.put(tables.meta, "clean", std::string_view{"\0", 1});
  txn.commit();
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
  while (e == 0 || e > static_cast<uint64_t>(INT64_MAX)) // JSON and older stores want signed
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
  if (std::filesystem::exists(data_dir + "/history.db", ec))
    spdlog::warn("history: {}/history.db is an earlier build's store (SQLite) and is not read; "
                 "its channels start new epochs",
                 data_dir);
  auto path = data_dir + "/history.mdb";
  try {
    auto env = std::make_shared<lmdb_env>(path, history_table_count, map_bytes);
    lmdb_txn txn{*env, lmdb_txn::mode::write};
    store->tables_ = std::make_unique<history_tables>(open_tables(txn));
    txn.commit();
    store->epochs_changed_ = begin_run(*env, *store->tables_);
    store->env_ = env;
    // The sweep runs a few times per retention age, at most every minute.
    auto every = std::clamp<std::chrono::milliseconds>(
        keep.max_age / 2, std::chrono::milliseconds{100}, std::chrono::minutes{1});
    store->journal_ =
        std::make_shared<journal>(std::move(env), *store->tables_, keep.max_age, every);
  } catch (const lmdb_error& e) {
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
    lmdb_txn txn{*env_, lmdb_txn::mode::read};
    std::string_view value;
    if (!txn.get(tables_->streams, name, value)) {
      auto epoch = new_epoch();
      journal_->record({name, epoch, 1, 1, nullptr, 1}); // the epoch outlives a silent stream
      return std::make_shared<stream_log>(name, epoch, 1, std::deque<history_entry>{}, keep_,
                                          journal_);
    }
    auto row = read_stream(value);
    auto oldest = wall_clock_ms() - keep_.max_age.count();
    // Newest first, and only the unbroken run that ends at next_offset - 1: a write that failed
    // leaves a hole (and a new epoch); what lies before a hole cannot be replayed gap-free.
    std::deque<history_entry> kept;
    auto prefix = message_prefix(name);
    std::string key;
    append_message_key(key, name, row.next_offset - 1);
    lmdb_cursor messages{txn, tables_->messages};
    uint64_t offset = 0;
    for (bool at = row.next_offset > 1 && messages.seek_exact(key);
         at && kept.size() < keep_.max_messages && offset_of(messages.key(), prefix, offset) &&
         offset == row.next_offset - 1 - kept.size() && time_of(messages.value()) >= oldest;
         at = messages.prev())
      kept.push_front(read_message(offset, messages.value()));
    return std::make_shared<stream_log>(name, row.epoch, row.next_offset, std::move(kept), keep_,
                                        journal_);
  } catch (const lmdb_error& e) {
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

uint64_t history_store::stored() const {
  if (!env_) return 0;
  try {
    lmdb_txn txn{*env_, lmdb_txn::mode::read};
    return txn.entries(tables_->messages);
  } catch (const lmdb_error& e) {
    spdlog::warn("history: cannot count what is stored: {}", e.what());
    return 0;
  }
}

} // namespace chat::store
