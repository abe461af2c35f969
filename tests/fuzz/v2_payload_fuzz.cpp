// v2_payload_fuzz.cpp -- libFuzzer target: the strict decoders of protocol_v2.hpp on arbitrary
// payloads, and encode() on whatever they accept. Built only with CHAT_FUZZ=ON (clang).
//
// Input: [selector][payload]. selector % 14 picks the decoder: the cases of the switch at the
// end, in the order protocol_v2.hpp declares them (make_seeds.py uses the same numbers).
// A refused payload must carry "malformed <FRAME NAME>: <reason>". An accepted one must encode
// back to exactly the same payload (the encoding is canonical), under a header whose length and
// type are right, and decode again to an equal value. Every broken invariant ends in
// __builtin_trap(), so libFuzzer keeps the input.
#include "messages/channel_name.hpp"
#include "messages/protocol_v2.hpp"
#include "messages/utf8.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace {

namespace v2 = chat::v2;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// What a name the rules accept can never contain, checked byte-wise and independently of
// char_classes.hpp: ASCII controls, DEL, space, NBSP, U+3000.
void check_channel_rules(std::string_view name) {
  if (chat::channel_name_error(name) != nullptr) return;
  check(!name.empty() && name.size() <= chat::max_channel_name && chat::is_valid_utf8(name));
  for (unsigned char c : name)
    check(c > 0x20 && c != 0x7F);
  check(name.find("\xC2\xA0") == std::string_view::npos);
  check(name.find("\xE3\x80\x80") == std::string_view::npos);
}

// Extra invariants per value; most payloads have none beyond the round trip.
template <class T> void check_value(const T&) {}
void check_value(const v2::join_request& x) {
  check_channel_rules(x.channel);
}
void check_value(const v2::msg_request& x) {
  check_channel_rules(x.channel);
}
void check_value(const v2::msg_delivery& x) {
  auto f = v2::encode(x);
  check(v2::msg_delivery_body_size(x.channel.size(), x.sender.size(), x.text.size()) ==
        chat::bytes(f).size() - 4);
}
void check_value(const v2::dm_delivery& x) {
  auto f = v2::encode(x);
  check(v2::dm_delivery_body_size(x.sender.size(), x.text.size()) == chat::bytes(f).size() - 4);
}
void check_value(const v2::reply& x) {
  check(x.result == v2::status::ok || x.result == v2::status::refused);
}
void check_value(const v2::presence_event& x) {
  auto k = static_cast<uint8_t>(x.kind);
  check(k >= 1 && k <= 3);
}
void check_value(const v2::who_reply& x) {
  check(x.names.size() <= 0xFFFF);
}
void check_value(const v2::list_reply& x) {
  check(x.channels.size() <= 0xFFFF);
}
void check_value(const v2::joined_reply& x) {
  check(static_cast<uint8_t>(x.position.result) <= chat::last_recovery);
}
void check_value(const v2::history_reply& x) {
  check(x.page.entries.size() <= 0xFFFF);
}

uint32_t body_length(const std::vector<char>& b) {
  uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(b[i])) << (8 * i);
  return v;
}

template <class T>
void run(v2::decoded<T> (*decode)(std::string_view), v2::type t, std::string_view payload) {
  auto got = decode(payload);
  if (auto* err = std::get_if<std::string>(&got)) {
    auto prefix = "malformed " + chat::frame_type_name(static_cast<uint8_t>(t)) + ": ";
    check(err->size() > prefix.size() && err->compare(0, prefix.size(), prefix) == 0);
    return;
  }
  const T& value = std::get<T>(got);
  check_value(value);

  auto f = v2::encode(value);
  const auto& b = chat::bytes(f);
  check(b.size() == chat::header_size + payload.size());
  check(body_length(b) == payload.size() + 1);
  check(static_cast<uint8_t>(b[4]) == static_cast<uint8_t>(t));
  std::string_view encoded{b.data() + chat::header_size, b.size() - chat::header_size};
  check(encoded == payload);

  auto again = decode(encoded);
  check(std::holds_alternative<T>(again) && std::get<T>(again) == value);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view payload{reinterpret_cast<const char*>(data + 1), size - 1};
  switch (data[0] % 17) {
  case 0:
    run(v2::decode_hello_request, v2::type::hello, payload);
    break;
  case 1:
    run(v2::decode_join_request, v2::type::join, payload);
    break;
  case 2:
    run(v2::decode_leave_request, v2::type::leave, payload);
    break;
  case 3:
    run(v2::decode_msg_request, v2::type::msg, payload);
    break;
  case 4:
    run(v2::decode_dm_request, v2::type::dm, payload);
    break;
  case 5:
    run(v2::decode_who_request, v2::type::who, payload);
    break;
  case 6:
    run(v2::decode_list_request, v2::type::list, payload);
    break;
  case 7:
    run(v2::decode_hello_reply, v2::type::hello, payload);
    break;
  case 8:
    run(v2::decode_reply, v2::type::reply, payload);
    break;
  case 9:
    run(v2::decode_msg_delivery, v2::type::msg, payload);
    break;
  case 10:
    run(v2::decode_dm_delivery, v2::type::dm, payload);
    break;
  case 11:
    run(v2::decode_presence_event, v2::type::presence, payload);
    break;
  case 12:
    run(v2::decode_who_reply, v2::type::who_reply, payload);
    break;
  case 13:
    run(v2::decode_list_reply, v2::type::list_reply, payload);
    break;
  case 14:
    run(v2::decode_history_request, v2::type::history, payload);
    break;
  case 15:
    run(v2::decode_joined_reply, v2::type::joined, payload);
    break;
  default:
    run(v2::decode_history_reply, v2::type::history_reply, payload);
    break;
  }
  return 0;
}
