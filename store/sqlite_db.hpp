// sqlite_db.hpp -- the few pieces of SQLite's C API the history store uses, with ownership:
// a connection and its prepared statements, each closed once. Errors come back as the text
// SQLite gives ("database or disk is full"), for the store's log lines and start-up errors.
// Used by store/journal.cpp and store/history_store.cpp only.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace chat::store {

// A statement or connection call that failed: what SQLite said, with what we were doing.
class sqlite_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class sqlite_statement {
public:
  sqlite_statement(sqlite3* db, std::string_view sql);
  ~sqlite_statement();
  sqlite_statement(const sqlite_statement&) = delete;
  sqlite_statement& operator=(const sqlite_statement&) = delete;

  // Parameters are numbered from 1, as in SQL's "?1".
  sqlite_statement& bind(int i, int64_t v);
  sqlite_statement& bind(int i, std::string_view v);
  // Binds text SQLite does not copy: `v` must outlive every step() until the parameter is bound
  // again or the statement is gone (the journal's rows, bound and stepped in one loop).
  sqlite_statement& bind_unowned(int i, std::string_view v);
  // True while a row is there to read; false when done. Throws on an error.
  bool step();
  // For the next run of the same statement.
  void reset();

  int64_t int64(int column) const;
  std::string text(int column) const;

private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class sqlite_db {
public:
  // Opens (creating) the file, WAL mode. Throws sqlite_error.
  explicit sqlite_db(const std::string& path);
  ~sqlite_db();
  sqlite_db(const sqlite_db&) = delete;
  sqlite_db& operator=(const sqlite_db&) = delete;

  // Runs statements that return no rows ("BEGIN", a schema). Throws sqlite_error.
  void exec(std::string_view sql);
  sqlite_statement prepare(std::string_view sql) { return sqlite_statement{db_, sql}; }

private:
  sqlite3* db_ = nullptr;
};

} // namespace chat::store
