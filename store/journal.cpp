#include "store/journal.hpp"
#include "messages/counters.hpp"

#include "store/stream_log.hpp"

#include <spdlog/spdlog.h>

#include <string_view>
#include <unordered_map>

namespace chat::store {

journal::journal(std::shared_ptr<lmdb_env> env, history_tables tables,
                 std::chrono::milliseconds max_age, std::chrono::milliseconds sweep_every)
    : env_(std::move(env)), tables_(tables), max_age_(max_age), sweep_every_(sweep_every) {
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
      lmdb_txn txn{*env_, lmdb_txn::mode::write};
      txn.put(tables_.meta, "clean", std::string_view{"\1", 1});
      txn.commit();
      env_->flush();
      spdlog::info("history: closed cleanly ({} messages written since start)", written_);
    } catch (const lmdb_error& e) {
      spdlog::error("history: cannot mark the store cleanly closed: {}", e.what());
    }
  }
  env_.reset();
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
    // batches, and LMDB writes each page (and flushes the file) once for all of them.
    // What a kill -9 can lose grows by as much (the epoch rule covers it); sync() and close()
    // do not wait for the interval.
    std::unique_lock<std::mutex> lock{mutex_};
    wake_.wait_for(lock, commit_interval_, [&] { return stopping_ || waiting_ > 0; });
  }
}

// Retention by age for streams no channel appends to (an inbox whose user never comes back, a
// channel nobody joins again): their old messages would otherwise stay on disk for ever. A
// stream's messages are in offset order, which is time order, so each stream's walk stops at
// its first message young enough to keep.
void journal::sweep() {
  auto oldest = wall_clock_ms() - max_age_.count();
  try {
    lmdb_txn txn{*env_, lmdb_txn::mode::write};
    { // the cursors close before the commit (lmdb.hpp)
      lmdb_cursor streams{txn, tables_.streams};
      lmdb_cursor messages{txn, tables_.messages};
      uint64_t offset = 0;
      for (bool more = streams.first(); more; more = streams.next()) {
        auto prefix = message_prefix(streams.key());
        for (bool at = messages.seek(prefix);
             at && offset_of(messages.key(), prefix, offset) && time_of(messages.value()) < oldest;
             at = messages.next())
          messages.erase();
      }
    }
    txn.commit();
  } catch (const lmdb_error& e) {
    spdlog::warn("history: the retention sweep failed: {}", e.what());
  }
}

// The messages `w` adds that the log still keeps (retention may have dropped some since: the
// disk would not keep them either), encoded under the log's lock, put after it is released.
std::size_t journal::put_new_messages(lmdb_cursor& rows, const journal_write& w) {
  if (!w.log || w.first >= w.next_offset) return 0;
  encoded_.clear();
  sizes_.clear();
  w.log->visit(w.first, w.next_offset, [this, &w](const history_entry& e) {
    auto start = encoded_.size();
    append_message_key(encoded_, w.stream, e.offset);
    auto key = encoded_.size() - start;
    append_message_value(encoded_, e);
    sizes_.emplace_back(key, encoded_.size() - start - key);
  });
  std::string_view rest{encoded_};
  for (auto [key, value] : sizes_) {
    rows.put(rest.substr(0, key), rest.substr(key, value));
    rest.remove_prefix(key + value);
  }
  return sizes_.size();
}

// One transaction for everything that came in since the last one: under load that is many
// channel batches per commit, and each page of the file written once for all of them.
void journal::write(std::vector<journal_write>& batch) {
  std::size_t messages = 0;
  auto started = std::chrono::steady_clock::now();
  try {
    lmdb_txn txn{*env_, lmdb_txn::mode::write};
    { // the cursor closes before the commit (lmdb.hpp)
      lmdb_cursor rows{txn, tables_.messages};
      // A busy channel sends many batches per transaction: its messages go in one by one, but its
      // retention and its stream row only as they stand after the last of them.
      std::unordered_map<std::string_view, const journal_write*> last_of_stream;
      for (auto& w : batch) {
        messages += put_new_messages(rows, w);
        last_of_stream[w.stream] = &w;
      }
      for (auto& [stream, w] : last_of_stream) {
        if (w->keep_from > 1) {
          auto prefix = message_prefix(w->stream);
          uint64_t offset = 0;
          for (bool at = rows.seek(prefix);
               at && offset_of(rows.key(), prefix, offset) && offset < w->keep_from;
               at = rows.next())
            rows.erase();
        }
        txn.put(tables_.streams, w->stream, stream_value({w->epoch, w->next_offset}));
      }
    }
    txn.commit();
    counters::add(counters::total::store_commits);
    counters::add(counters::total::store_commit_ns,
                  static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                            std::chrono::steady_clock::now() - started)
                                            .count()));
    counters::add(counters::total::store_messages, messages);
    std::lock_guard<std::mutex> lock{mutex_};
    written_ += messages;
  } catch (const lmdb_error& e) {
    // The transaction is gone with what it held; the store stays as the last commit left it.
    counters::add(counters::total::store_failures);
    std::unique_lock<std::mutex> lock{mutex_};
    // The first failure and then one in a thousand: a full disk fails every write after it.
    if (++failed_ % 1000 != 1) return;
    auto failed = failed_;
    lock.unlock();
    spdlog::error("history write failed: {} ({} bytes free on its disk); {} messages of {} "
                  "channel batches are kept in memory only ({} failed writes so far)",
                  e.what(), env_->free_bytes(), messages, batch.size(), failed);
  }
}

} // namespace chat::store
