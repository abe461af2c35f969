// journal.hpp -- the history store's writer: one thread that takes what channels appended and
// writes it to LMDB, many channels' batches in one transaction, so delivery never waits for
// the disk. A failed write is logged and remembered (the next start then changes every
// stream's epoch); it never stops the chat. Owned by history_store; fed by stream_log::append.
#pragma once

#include "messages/history.hpp"
#include "store/history_layout.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace chat::store {

class stream_log;

// One stream's change: entries to add, the row to keep up to date, and what retention dropped.
struct journal_write {
  std::string stream;
  uint64_t epoch = 0;
  uint64_t next_offset = 0; // after these entries
  uint64_t keep_from = 0;   // entries below this offset are gone (retention)
  // The entries to add are [first, next_offset) of `log`'s memory, read when they are written:
  // the channel makes no copy of a message for the disk. None: only the row changes.
  std::shared_ptr<const stream_log> log;
  uint64_t first = 0;
};

class journal {
public:
  // Takes the open store and its tables; starts the writer thread. Every `sweep_every` it also
  // deletes messages older than `max_age` of every stream, those nobody loads too.
  journal(std::shared_ptr<lmdb_env> env, history_tables tables, std::chrono::milliseconds max_age,
          std::chrono::milliseconds sweep_every = std::chrono::minutes{1});
  ~journal(); // stops: what was recorded is written first

  journal(const journal&) = delete;
  journal& operator=(const journal&) = delete;

  // Any thread. Returns at once; the write happens on the journal's thread.
  void record(journal_write w);

  // Blocks until everything recorded before the call is written (or failed).
  void sync();

  // Writes what is left, then marks the store cleanly closed (unless a write failed).
  void close();

  // Messages written since start.
  uint64_t written() const;

private:
  void run();
  void write(std::vector<journal_write>& batch);
  std::size_t put_new_messages(lmdb_cursor& rows, const journal_write& w);
  void sweep();

  std::shared_ptr<lmdb_env> env_;
  history_tables tables_;
  // One stream's new messages, keys and values back to back, encoded under the log's lock and
  // written to LMDB after it is released (so the channel never waits for LMDB). Reused.
  std::string encoded_;
  std::vector<std::pair<std::size_t, std::size_t>> sizes_; // (key, value) bytes in encoded_
  std::chrono::milliseconds max_age_;
  std::chrono::milliseconds sweep_every_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::vector<journal_write> queue_;
  uint64_t recorded_ = 0; // record() calls so far
  uint64_t finished_ = 0; // of those, written or failed
  uint64_t failed_ = 0;
  uint64_t written_ = 0;
  int waiting_ = 0; // sync() callers
  std::chrono::milliseconds commit_interval_{50};
  bool stopping_ = false;
  bool writer_idle_ = false; // the writer waits for work (not out the commit interval)
  bool closed_ = false;
  std::thread thread_;
};

} // namespace chat::store
