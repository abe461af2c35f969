// lmdb.hpp -- the few pieces of LMDB's C API the history store uses, with ownership: an
// environment (one file and its lock file), transactions and cursors, each ended once. Errors
// come back as the text LMDB gives ("No space left on device", "MDB_MAP_FULL: ..."), for the
// store's log lines and start-up errors. Used by store/ only (history_layout, journal,
// history_store).
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace chat::store {

// A call that failed: what LMDB said, with what we were doing.
class lmdb_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class lmdb_env {
public:
  // Opens (creating) the database file `path` and `path`-lock, with room for `max_tables`
  // named tables and a map of `map_bytes` (the most the file may grow to). Throws lmdb_error.
  lmdb_env(const std::string& path, unsigned max_tables, std::size_t map_bytes);
  ~lmdb_env();
  lmdb_env(const lmdb_env&) = delete;
  lmdb_env& operator=(const lmdb_env&) = delete;

  MDB_env* get() const { return env_; }
  // Flushes everything committed to the disk. Throws lmdb_error.
  void flush();
  // Bytes free for us on the file's disk (a failed commit's log line: LMDB reports a short
  // write on a full disk as an I/O error); -1 if unknown.
  int64_t free_bytes() const;

private:
  MDB_env* env_ = nullptr;
};

class lmdb_txn {
public:
  enum class mode { read, write };
  lmdb_txn(const lmdb_env& env, mode m);
  ~lmdb_txn(); // aborts unless committed
  lmdb_txn(const lmdb_txn&) = delete;
  lmdb_txn& operator=(const lmdb_txn&) = delete;

  MDB_txn* get() const { return txn_; }
  // A named table, created if missing (a write transaction only). The handle stays valid for
  // the environment's life once this transaction commits.
  MDB_dbi table(const char* name);
  // The value under `key`, viewing LMDB's map: valid until this transaction ends. Empty
  // optional-like: `found` false.
  bool get(MDB_dbi table, std::string_view key, std::string_view& value) const;
  void put(MDB_dbi table, std::string_view key, std::string_view value);
  // Entries in the table.
  std::size_t entries(MDB_dbi table) const;
  // Every cursor of this transaction must be gone first: LMDB frees a write transaction's
  // cursors itself when it ends, so one closed after that would be freed twice. Throws
  // std::logic_error if one is left (a bug in the caller), lmdb_error if the commit fails.
  void commit();

private:
  friend class lmdb_cursor;
  MDB_txn* txn_ = nullptr;
  int cursors_ = 0; // lmdb_cursors open on this transaction
};

// Walks one table in key order. Every move returns false when it leaves the table (or finds
// nothing); key() and value() view LMDB's map until the transaction ends or the entry changes.
class lmdb_cursor {
public:
  lmdb_cursor(lmdb_txn& txn, MDB_dbi table);
  ~lmdb_cursor();
  lmdb_cursor(const lmdb_cursor&) = delete;
  lmdb_cursor& operator=(const lmdb_cursor&) = delete;

  bool seek(std::string_view key);       // to the first entry at or after `key`
  bool seek_exact(std::string_view key); // to `key` itself
  bool first();
  bool next();
  bool prev();
  std::string_view key() const { return key_; }
  std::string_view value() const { return value_; }
  void put(std::string_view key, std::string_view value); // insert or replace
  void erase();                                           // the entry here; then next() moves on

private:
  bool move(MDB_cursor_op op, std::string_view key = {});

  lmdb_txn& txn_;
  MDB_cursor* cursor_ = nullptr;
  std::string_view key_;
  std::string_view value_;
};

} // namespace chat::store
