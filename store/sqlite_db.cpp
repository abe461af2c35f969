#include "store/sqlite_db.hpp"

#include <sqlite3.h>

namespace chat::store {

namespace {

[[noreturn]] void fail(sqlite3* db, std::string_view doing) {
  throw sqlite_error{std::string{doing} + ": " + (db ? sqlite3_errmsg(db) : "out of memory")};
}

} // namespace

sqlite_statement::sqlite_statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK)
    fail(db, "prepare");
}

sqlite_statement::~sqlite_statement() {
  sqlite3_finalize(stmt_);
}

sqlite_statement& sqlite_statement::bind(int i, int64_t v) {
  if (sqlite3_bind_int64(stmt_, i, v) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

sqlite_statement& sqlite_statement::bind(int i, std::string_view v) {
  if (sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) !=
      SQLITE_OK)
    fail(db_, "bind");
  return *this;
}

sqlite_statement& sqlite_statement::bind_unowned(int i, std::string_view v) {
  if (sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC) != SQLITE_OK)
    fail(db_, "bind");
  return *this;
}

bool sqlite_statement::step() {
  switch (sqlite3_step(stmt_)) {
  case SQLITE_ROW:
    return true;
  case SQLITE_DONE:
    return false;
  default:
    fail(db_, "write");
  }
}

void sqlite_statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t sqlite_statement::int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string sqlite_statement::text(int column) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)))
           : std::string{};
}

sqlite_db::sqlite_db(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw sqlite_error{"open " + path + ": " + why};
  }
  // Readers (a channel loading its history) and the journal's writer may run at once.
  sqlite3_busy_timeout(db_, 5000);
  exec("PRAGMA journal_mode=WAL");
  // A commit reaches the WAL file, not yet the disk: a power cut may lose the last moments,
  // a killed process loses nothing committed. The epoch rule covers either loss.
  exec("PRAGMA synchronous=NORMAL");
}

sqlite_db::~sqlite_db() {
  sqlite3_close_v2(db_);
}

void sqlite_db::exec(std::string_view sql) {
  std::string s{sql};
  char* message = nullptr;
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string why = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw sqlite_error{why};
  }
}

} // namespace chat::store
