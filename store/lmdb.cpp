#include "store/lmdb.hpp"

#include <sys/statvfs.h>

namespace chat::store {

namespace {

void check(int rc, std::string_view doing) {
  if (rc != MDB_SUCCESS) throw lmdb_error{std::string{doing} + ": " + mdb_strerror(rc)};
}

MDB_val val(std::string_view s) {
  return {s.size(), const_cast<char*>(s.data())}; // LMDB reads it only
}

std::string_view view(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

} // namespace

lmdb_env::lmdb_env(const std::string& path, unsigned max_tables, std::size_t map_bytes) {
  check(mdb_env_create(&env_), "create");
  try {
    check(mdb_env_set_maxdbs(env_, max_tables), "tables");
    check(mdb_env_set_mapsize(env_, map_bytes), "map size");
    // NOSUBDIR: one file (and its -lock) in the data directory. NOTLS: a channel's thread may
    // read while the journal's thread writes, and CAF moves actors between threads.
    // NOMETASYNC: each commit flushes its data but not the meta page, so a power cut may undo
    // the last commit but never damages the file; a killed process loses nothing committed.
    // No WRITEMAP: a full disk is then an error from the commit, not SIGBUS.
    check(mdb_env_open(env_, path.c_str(), MDB_NOSUBDIR | MDB_NOTLS | MDB_NOMETASYNC, 0644),
          "open " + path);
  } catch (...) {
    mdb_env_close(env_);
    throw;
  }
}

lmdb_env::~lmdb_env() {
  mdb_env_close(env_);
}

void lmdb_env::flush() {
  check(mdb_env_sync(env_, 1), "flush");
}

int64_t lmdb_env::free_bytes() const {
  const char* path = nullptr;
  struct statvfs disk {};
  if (mdb_env_get_path(env_, &path) != MDB_SUCCESS || ::statvfs(path, &disk) != 0) return -1;
  return static_cast<int64_t>(disk.f_bavail) * static_cast<int64_t>(disk.f_frsize);
}

lmdb_txn::lmdb_txn(const lmdb_env& env, mode m) {
  check(mdb_txn_begin(env.get(), nullptr, m == mode::read ? MDB_RDONLY : 0, &txn_), "begin");
}

lmdb_txn::~lmdb_txn() {
  if (txn_) mdb_txn_abort(txn_);
}

MDB_dbi lmdb_txn::table(const char* name) {
  MDB_dbi dbi = 0;
  check(mdb_dbi_open(txn_, name, MDB_CREATE, &dbi), std::string{"table "} + name);
  return dbi;
}

bool lmdb_txn::get(MDB_dbi table, std::string_view key, std::string_view& value) const {
  auto k = val(key);
  MDB_val v{};
  int rc = mdb_get(txn_, table, &k, &v);
  if (rc == MDB_NOTFOUND) return false;
  check(rc, "read");
  value = view(v);
  return true;
}

void lmdb_txn::put(MDB_dbi table, std::string_view key, std::string_view value) {
  auto k = val(key);
  auto v = val(value);
  check(mdb_put(txn_, table, &k, &v, 0), "write");
}

std::size_t lmdb_txn::entries(MDB_dbi table) const {
  MDB_stat stat{};
  check(mdb_stat(txn_, table, &stat), "stat");
  return stat.ms_entries;
}

void lmdb_txn::commit() {
  if (cursors_ > 0) throw std::logic_error{"an LMDB cursor is still open at commit"};
  auto* txn = txn_;
  txn_ = nullptr; // ended either way
  check(mdb_txn_commit(txn), "commit");
}

lmdb_cursor::lmdb_cursor(lmdb_txn& txn, MDB_dbi table) : txn_(txn) {
  check(mdb_cursor_open(txn.get(), table, &cursor_), "cursor");
  ++txn_.cursors_;
}

lmdb_cursor::~lmdb_cursor() {
  mdb_cursor_close(cursor_);
  --txn_.cursors_;
}

bool lmdb_cursor::move(MDB_cursor_op op, std::string_view key) {
  auto k = val(key);
  MDB_val v{};
  int rc = mdb_cursor_get(cursor_, &k, &v, op);
  if (rc == MDB_NOTFOUND) return false;
  check(rc, "read");
  key_ = view(k);
  value_ = view(v);
  return true;
}

bool lmdb_cursor::seek(std::string_view key) {
  return move(MDB_SET_RANGE, key);
}

bool lmdb_cursor::seek_exact(std::string_view key) {
  return move(MDB_SET_KEY, key);
}

bool lmdb_cursor::first() {
  return move(MDB_FIRST);
}

bool lmdb_cursor::next() {
  return move(MDB_NEXT);
}

bool lmdb_cursor::prev() {
  return move(MDB_PREV);
}

void lmdb_cursor::put(std::string_view key, std::string_view value) {
  auto k = val(key);
  auto v = val(value);
  check(mdb_cursor_put(cursor_, &k, &v, 0), "write");
}

void lmdb_cursor::erase() {
  check(mdb_cursor_del(cursor_, 0), "delete");
}

} // namespace chat::store
