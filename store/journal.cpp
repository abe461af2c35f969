#include "store/journal.hpp"

#include <spdlog/spdlog.h>

#include <string_view>
#include <unordered_map>

namespace chat::store {

journal::journal(std::unique_ptr<sqlite_db> db, std::chrono::milliseconds max_age,
                 std::chrono::milliseconds sweep_every)
    : db_(std::move(db)), max_age_(max_age), sweep_every_(sweep_every) {
  thread_ = std::thread{[this] { run(); }};
}

journal::~journal() {
  close();
}

void journal::record(journal_write w) {
  {
    std::lock_guard<std::mutex> lock{mutex_};
    if (stopping_) return; // after close(): the store is gone, nothing more is kept
    queue_.push_back(std::move(w));
    ++recorded_;
    // Between commits the writer waits out the interval: waking it for every batch would only
    // cost a context switch per channel batch (measured: a few percent of the server's CPU).
    if (!writer_idle_) return;
  }
  wake_.notify_one();
}

void journal::sync() {
  std::unique_lock<std::mutex> lock{mutex_};
  auto target = recorded_;
  ++waiting_;
  wake_.notify_one(); // no waiting out the commit interval for this
  done_.wait(lock, [&] { return finished_ >= target || closed_; });
  --waiting_;
}

uint64_t journal::written() const {
  std::lock_guard<std::mutex> lock{mutex_};
  return written_;
}

void journal::close() {
  {
    std::lock_guard<std::mutex> lock{mutex_};
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  if (failed_ > 0) {
    spdlog::warn("history: {} writes failed; the next start gives every channel a new epoch",
                 failed_);
  } else {
    try {
      db_->exec("UPDATE meta SET value = 1 WHERE key = 'clean'");
      spdlog::info("history: closed cleanly ({} messages written since start)", written_);
    } catch (const sqlite_error& e) {
      spdlog::error("history: cannot mark the store cleanly closed: {}", e.what());
    }
  }
  db_.reset();
  std::lock_guard<std::mutex> lock{mutex_};
  closed_ = true;
  done_.notify_all();
}

void journal::run() {
  std::vector<journal_write> batch;
  auto next_sweep = std::chrono::steady_clock::now();
  for (;;) {
    if (std::chrono::steady_clock::now() >= next_sweep) {
      sweep();
      next_sweep = std::chrono::steady_clock::now() + sweep_every_;
    }
    {
      std::unique_lock<std::mutex> lock{mutex_};
      writer_idle_ = true;
      wake_.wait_until(lock, next_sweep, [&] { return stopping_ || !queue_.empty(); });
      writer_idle_ = false;
      if (queue_.empty() && stopping_) return; // everything is written
      if (queue_.empty()) continue;            // time to sweep
      batch.swap(queue_);
    }
    write(batch);
    {
      std::lock_guard<std::mutex> lock{mutex_};
      finished_ += batch.size();
    }
    done_.notify_all();
    batch.clear();
    // At most one commit per commit_interval: under load each commit then carries many
    // batches, and SQLite writes each page once for all of them instead of once per commit.
    // What a kill -9 can lose grows by as much (the epoch rule covers it); sync() and close()
    // do not wait for the interval.
    std::unique_lock<std::mutex> lock{mutex_};
    wake_.wait_for(lock, commit_interval_, [&] { return stopping_ || waiting_ > 0; });
  }
}

// Retention by age for streams no channel appends to (an inbox whose user never comes back, a
// channel nobody joins again): their old rows would otherwise stay on disk for ever.
void journal::sweep() {
  using namespace std::chrono;
  auto now = duration_cast<milliseconds>(system_clock::now().time_since_epoch());
  try {
    auto old = db_->prepare("DELETE FROM messages WHERE time_ms < ?1");
    old.bind(1, static_cast<int64_t>((now - max_age_).count()));
    old.step();
  } catch (const sqlite_error& e) {
    spdlog::warn("history: the retention sweep failed: {}", e.what());
  }
}

// One transaction for everything that came in since the last one: under load that is many
// channel batches per fsync-free commit.
void journal::write(std::vector<journal_write>& batch) {
  std::size_t messages = 0;
  for (auto& w : batch)
    messages += w.entries.size();
  try {
    db_->exec("BEGIN");
    auto insert = db_->prepare("INSERT OR REPLACE INTO messages(stream, offset, time_ms, sender, "
                               "text) VALUES(?1, ?2, ?3, ?4, ?5)");
    auto trim = db_->prepare("DELETE FROM messages WHERE stream = ?1 AND offset < ?2");
    auto row = db_->prepare(
        "INSERT INTO streams(name, epoch, next_offset) VALUES(?1, ?2, ?3) ON CONFLICT(name) DO "
        "UPDATE SET epoch = excluded.epoch, next_offset = excluded.next_offset");
    // A busy channel sends many batches per transaction: its rows go in one by one, but its
    // retention and its stream row only as they stand after the last of them.
    std::unordered_map<std::string_view, const journal_write*> last_of_stream;
    for (auto& w : batch) {
      for (auto& e : w.entries) {
        // Not copied by SQLite: `batch` outlives the statement.
        insert.bind_unowned(1, w.stream)
            .bind(2, static_cast<int64_t>(e.offset))
            .bind(3, e.time_ms)
            .bind_unowned(4, e.sender)
            .bind_unowned(5, e.text);
        insert.step();
        insert.reset();
      }
      last_of_stream[w.stream] = &w;
    }
    for (auto& [stream, w] : last_of_stream) {
      if (w->keep_from > 1) {
        trim.bind(1, w->stream).bind(2, static_cast<int64_t>(w->keep_from));
        trim.step();
        trim.reset();
      }
      row.bind(1, w->stream)
          .bind(2, static_cast<int64_t>(w->epoch))
          .bind(3, static_cast<int64_t>(w->next_offset));
      row.step();
      row.reset();
    }
    db_->exec("COMMIT");
    std::lock_guard<std::mutex> lock{mutex_};
    written_ += messages;
  } catch (const sqlite_error& e) {
    try {
      db_->exec("ROLLBACK");
    } catch (const sqlite_error&) {
      // No transaction left to roll back: SQLite already ended it.
    }
    std::lock_guard<std::mutex> lock{mutex_};
    // The first failure and then one in a thousand: a full disk fails every write after it.
    if (++failed_ % 1000 == 1)
      spdlog::error("history write failed: {}; {} messages of {} channels are kept in memory "
                    "only ({} failed writes so far)",
                    e.what(), messages, batch.size(), failed_);
  }
}

} // namespace chat::store
