#include "store/history_layout.hpp"

#include <cstring>

namespace chat::store {

namespace {

void put_be(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t get_be(std::string_view in, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v = (v << 8) | static_cast<uint8_t>(in[static_cast<std::size_t>(i)]);
  return v;
}

template <class T> void put_native(std::string& out, T v) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  out.append(bytes, sizeof(T));
}

template <class T> T get_native(std::string_view in, std::size_t at) {
  T v;
  std::memcpy(&v, in.data() + at, sizeof(T));
  return v;
}

[[noreturn]] void damaged(const char* what) {
  throw lmdb_error{std::string{"damaged "} + what + " in the history file"};
}

} // namespace

history_tables open_tables(lmdb_txn& write) {
  return {write.table("meta"), write.table("streams"), write.table("messages")};
}

void append_message_key(std::string& out, std::string_view stream, uint64_t offset) {
  put_be(out, stream.size(), 2);
  out.append(stream);
  put_be(out, offset, 8);
}

std::string message_prefix(std::string_view stream) {
  std::string out;
  put_be(out, stream.size(), 2);
  out.append(stream);
  return out;
}

bool offset_of(std::string_view key, std::string_view prefix, uint64_t& offset) {
  if (key.size() != prefix.size() + 8 || key.substr(0, prefix.size()) != prefix) return false;
  offset = get_be(key.substr(prefix.size()), 8);
  return true;
}

void append_message_value(std::string& out, const history_entry& e) {
  if (e.sender.size() > UINT16_MAX) throw lmdb_error{"a sender name over 65,535 bytes"};
  put_native<int64_t>(out, e.time_ms);
  put_native<uint16_t>(out, static_cast<uint16_t>(e.sender.size()));
  out.append(e.sender);
  out.append(e.text);
}

history_entry read_message(uint64_t offset, std::string_view value) {
  constexpr std::size_t head = sizeof(int64_t) + sizeof(uint16_t);
  if (value.size() < head) damaged("message");
  auto sender = get_native<uint16_t>(value, sizeof(int64_t));
  if (value.size() < head + sender) damaged("message");
  return {offset, get_native<int64_t>(value, 0), std::string{value.substr(head, sender)},
          std::string{value.substr(head + sender)}};
}

int64_t time_of(std::string_view value) {
  if (value.size() < sizeof(int64_t)) damaged("message");
  return get_native<int64_t>(value, 0);
}

std::string stream_value(stream_row row) {
  std::string out;
  put_native(out, row.epoch);
  put_native(out, row.next_offset);
  return out;
}

stream_row read_stream(std::string_view value) {
  if (value.size() != 2 * sizeof(uint64_t)) damaged("stream");
  return {get_native<uint64_t>(value, 0), get_native<uint64_t>(value, sizeof(uint64_t))};
}

} // namespace chat::store
