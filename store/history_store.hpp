// history_store.hpp -- every stream's history on this node: a data directory holding one LMDB
// file (history.mdb), or memory only. Opened once by chat-server before it accepts clients; the
// directory asks it for a channel's stream_log when it spawns the channel. Streams load on
// first use, so a start does not read the messages it keeps.
//
// Epochs: each stream gets a random epoch when it is first made. A store that was not closed
// cleanly (kill -9, a crash, a write that failed) may have lost its last moments, so opening it
// gives every stream a new epoch: a recovering client is told, never silently short.
#pragma once

#include "store/stream_log.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

namespace chat::store {

class journal;
class lmdb_env;
struct history_tables;

// The --data-dir value that keeps history in memory only: lost at exit.
inline constexpr std::string_view memory_only = ":memory:";

class history_store {
public:
  // Opens the store in `data_dir` (created if missing), or a memory-only store. Fails with a
  // sentence for the operator: the directory cannot be made or written, another chat-server
  // holds it, the database is not ours or is damaged.
  static std::variant<std::shared_ptr<history_store>, std::string> open(const std::string& data_dir,
                                                                        retention keep);
  ~history_store();

  // The stream of that name, loaded (or made, with a new epoch) if no one holds it. The caller
  // (the channel) is its only writer while it holds it.
  std::shared_ptr<stream_log> stream(const std::string& name);

  // A stream in memory only, empty, with a new epoch and this store's retention: a cluster
  // channel's history at its owner node (docs/CLUSTER.md "History"). Never registered, never
  // written.
  std::shared_ptr<stream_log> fresh_stream(const std::string& name) const;

  // Writes what is pending and marks the store cleanly closed. Streams still held keep working
  // in memory; what they append after this is not kept. Idempotent.
  void close();

  // Blocks until every append so far is on disk (tests, benchmarks).
  void sync();

  bool durable() const { return journal_ != nullptr; }
  const std::string& data_dir() const { return data_dir_; }
  // Streams whose epoch changed at open because the last run did not close cleanly.
  uint64_t epochs_changed_at_open() const { return epochs_changed_; }
  // Messages written to disk since open.
  uint64_t written() const;
  // Messages on disk now (after retention), counted from the file.
  uint64_t stored() const;

  history_store(std::string data_dir, retention keep);

private:
  std::shared_ptr<stream_log> load(const std::string& name);

  std::string data_dir_;
  retention keep_;
  int lock_fd_ = -1;
  uint64_t epochs_changed_ = 0;
  std::shared_ptr<lmdb_env> env_; // loads streams; the journal writes through it too
  std::unique_ptr<history_tables> tables_;
  std::shared_ptr<journal> journal_; // none: memory only
  std::mutex mutex_;
  std::map<std::string, std::weak_ptr<stream_log>> streams_;
  std::size_t next_prune_ = 1024; // registry size at which expired entries are dropped
  std::vector<std::shared_ptr<stream_log>> pinned_; // memory only: a stream lives as long as we do
};

using history_store_ptr = std::shared_ptr<history_store>;

// A new random epoch, never 0 (0 means "none" on the wire).
uint64_t new_epoch();

} // namespace chat::store
