// history_layout.hpp -- how history lies in its LMDB file: three tables and the bytes of their
// keys and values, in one place so the writer (journal) and the reader (history_store) agree.
//
//   meta      "clean" -> 1 byte: 1 when the last run closed the store cleanly
//   streams   stream name -> epoch (8 bytes), next offset (8 bytes)
//   messages  name length (2 bytes, big-endian), name, offset (8 bytes, big-endian)
//             -> time_ms (8 bytes), sender length (2 bytes), sender, text
//
// Keys are big-endian so LMDB's byte order is a stream's offset order; values use this
// machine's order (an LMDB file is not portable between byte orders anyway).
#pragma once

#include "messages/history.hpp"
#include "store/lmdb.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace chat::store {

struct history_tables {
  MDB_dbi meta = 0;
  MDB_dbi streams = 0;
  MDB_dbi messages = 0;
};
inline constexpr unsigned history_table_count = 3;

// Opens (creating) the tables in a write transaction; the handles are good once it commits.
history_tables open_tables(lmdb_txn& write);

// The key of a stream's message `offset`, appended to `out` (reused: no allocation per message).
void append_message_key(std::string& out, std::string_view stream, uint64_t offset);
// What every message key of `stream` starts with.
std::string message_prefix(std::string_view stream);
// The offset in `key` if it starts with `prefix` (one stream's message); else false.
bool offset_of(std::string_view key, std::string_view prefix, uint64_t& offset);

// The value of a message, appended to `out`.
void append_message_value(std::string& out, const history_entry& e);
// Throws lmdb_error for a value too short for what it says it holds (a damaged file).
history_entry read_message(uint64_t offset, std::string_view value);
int64_t time_of(std::string_view value);

struct stream_row {
  uint64_t epoch = 0;
  uint64_t next_offset = 0;
};
std::string stream_value(stream_row row);
stream_row read_stream(std::string_view value);

} // namespace chat::store
