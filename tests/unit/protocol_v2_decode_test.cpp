// protocol_v2_decode_test.cpp -- the v2 decoders refuse every malformed payload with a reason
// naming the frame and the field: truncation in each field, lengths past the end, trailing
// bytes, invalid UTF-8, unknown enum values, and list counts the payload cannot hold.
#include "messages/protocol_v2.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <variant>

namespace v2 = chat::v2;

namespace {

// The decode error, or "decoded" when the payload was accepted, so failures print readably.
template <class T> std::string v2_error(const v2::decoded<T>& d) {
  if (auto* err = std::get_if<std::string>(&d)) return *err;
  return "decoded";
}

std::string payload_of(const chat::frame& f) {
  const auto& b = chat::bytes(f);
  return std::string(b.begin() + chat::header_size, b.end());
}

std::string u32_le(uint32_t v) {
  return {static_cast<char>(v & 0xFF), static_cast<char>((v >> 8) & 0xFF),
          static_cast<char>((v >> 16) & 0xFF), static_cast<char>((v >> 24) & 0xFF)};
}

std::string u16_le(uint16_t v) {
  return {static_cast<char>(v & 0xFF), static_cast<char>((v >> 8) & 0xFF)};
}

const std::string ref1 = u32_le(1);

// Every proper prefix of a valid payload is refused with "malformed <name>: ", and so is the
// payload with one byte added.
template <class T, class Decode>
void expect_prefixes_refused(const T& value, const std::string& name, Decode decode) {
  auto payload = payload_of(v2::encode(value));
  for (std::size_t n = 0; n < payload.size(); ++n) {
    auto err = v2_error(decode(payload.substr(0, n)));
    EXPECT_EQ(err.rfind("malformed " + name + ": ", 0), 0u)
        << name << " cut at " << n << ": " << err;
  }
  EXPECT_EQ(v2_error(decode(payload)), "decoded") << name;
  EXPECT_EQ(v2_error(decode(payload + "x")), "malformed " + name + ": 1 byte after the last field");
}

// JOIN's short form may be followed by the long form's fields, so a byte after it is `mode`.
void expect_join_forms_refused() {
  auto short_form = payload_of(v2::encode(v2::join_request{1, "dev"}));
  EXPECT_EQ(v2_error(v2::decode_join_request(short_form + "x")),
            "malformed JOIN: mode: unknown value 120");
  auto long_form = payload_of(v2::encode(
      v2::join_request{1, "dev", chat::replay_request{chat::replay_mode::since, 7, 3, 2}}));
  for (std::size_t n = short_form.size() + 1; n < long_form.size(); ++n) {
    auto err = v2_error(v2::decode_join_request(long_form.substr(0, n)));
    EXPECT_EQ(err.rfind("malformed JOIN: ", 0), 0u) << "cut at " << n << ": " << err;
  }
  EXPECT_EQ(v2_error(v2::decode_join_request(long_form)), "decoded");
  EXPECT_EQ(v2_error(v2::decode_join_request(long_form + "x")),
            "malformed JOIN: 1 byte after the last field");
}

} // namespace

TEST(ProtocolV2DecodeTest, EveryTruncationIsRefused) {
  expect_prefixes_refused(v2::hello_request{2}, "HELLO", v2::decode_hello_request);
  expect_join_forms_refused();
  expect_prefixes_refused(v2::leave_request{1, "dev"}, "LEAVE", v2::decode_leave_request);
  expect_prefixes_refused(v2::msg_request{1, "dev", "hi"}, "MSG", v2::decode_msg_request);
  expect_prefixes_refused(v2::dm_request{1, "bob", "hi"}, "DM", v2::decode_dm_request);
  expect_prefixes_refused(v2::who_request{1, "dev", "a", 9}, "WHO", v2::decode_who_request);
  expect_prefixes_refused(v2::list_request{1, "a", 9}, "LIST", v2::decode_list_request);
  expect_prefixes_refused(v2::hello_reply{2, "channels", {1, 2, 3, 4, 5, 6}}, "HELLO",
                          v2::decode_hello_reply);
  expect_prefixes_refused(v2::hello_reply{3, "channels", {1, 2, 3, 4, 5, 6, 7, 8}}, "HELLO",
                          v2::decode_hello_reply);
  expect_prefixes_refused(v2::reply{1, v2::status::refused, "no"}, "REPLY", v2::decode_reply);
  expect_prefixes_refused(v2::msg_delivery{"dev", "ann", "hi"}, "MSG", v2::decode_msg_delivery);
  expect_prefixes_refused(v2::dm_delivery{"ann", "hi"}, "DM", v2::decode_dm_delivery);
  expect_prefixes_refused(v2::presence_event{"dev", "ann", v2::presence_kind::left}, "PRESENCE",
                          v2::decode_presence_event);
  expect_prefixes_refused(v2::who_reply{1, "dev", 2, {"ann", "bob"}, "bob"}, "WHO_REPLY",
                          v2::decode_who_reply);
  expect_prefixes_refused(v2::list_reply{1, 2, {{"dev", 2}, {"x", 1}}, "x"}, "LIST_REPLY",
                          v2::decode_list_reply);
}

TEST(ProtocolV2DecodeTest, TruncationNamesTheField) {
  // MSG request: u32 ref, str8 channel "dev", text "hi" = 4 + 4 + 6 bytes.
  auto payload = payload_of(v2::encode(v2::msg_request{1, "dev", "hi"}));
  auto cut = [&payload](std::size_t n) {
    return v2_error(v2::decode_msg_request(payload.substr(0, n)));
  };
  EXPECT_EQ(cut(0), "malformed MSG: ref: payload ends inside the field");
  EXPECT_EQ(cut(3), "malformed MSG: ref: payload ends inside the field");
  EXPECT_EQ(cut(4), "malformed MSG: channel: payload ends inside the field");
  EXPECT_EQ(cut(5), "malformed MSG: channel: length 3 past the end of the payload");
  EXPECT_EQ(cut(7), "malformed MSG: channel: length 3 past the end of the payload");
  EXPECT_EQ(cut(8), "malformed MSG: text: payload ends inside the field");
  EXPECT_EQ(cut(11), "malformed MSG: text: payload ends inside the field");
  EXPECT_EQ(cut(12), "malformed MSG: text: length 2 past the end of the payload");
  EXPECT_EQ(cut(13), "malformed MSG: text: length 2 past the end of the payload");

  EXPECT_EQ(v2_error(v2::decode_reply(ref1 + "\x01\x05")),
            "malformed REPLY: text: payload ends inside the field"); // half a u16 length
  EXPECT_EQ(v2_error(v2::decode_who_request(ref1 + std::string("\0\0\x07", 3))),
            "malformed WHO: limit: payload ends inside the field");
  EXPECT_EQ(v2_error(v2::decode_hello_reply(u16_le(2) + u16_le(0) + u32_le(1))),
            "malformed HELLO: max_channel_name: payload ends inside the field");
}

TEST(ProtocolV2DecodeTest, LyingLengthIsRefused) {
  EXPECT_EQ(v2_error(v2::decode_join_request(ref1 + "\x28" + "abc")),
            "malformed JOIN: channel: length 40 past the end of the payload");
  EXPECT_EQ(v2_error(v2::decode_dm_delivery("\x03"
                                            "ann" +
                                            u32_le(0xFFFFFFFF) + "hi")),
            "malformed DM: text: length 4294967295 past the end of the payload");
  EXPECT_EQ(v2_error(v2::decode_reply(ref1 + std::string(1, '\0') + u16_le(0xFFFF) + "no")),
            "malformed REPLY: text: length 65535 past the end of the payload");
}

TEST(ProtocolV2DecodeTest, TrailingBytesAreRefused) {
  auto payload = payload_of(v2::encode(v2::msg_request{1, "dev", "hi"}));
  EXPECT_EQ(v2_error(v2::decode_msg_request(payload + "abc")),
            "malformed MSG: 3 bytes after the last field");
  EXPECT_EQ(v2_error(v2::decode_leave_request(ref1 + std::string("\0\0", 2))),
            "malformed LEAVE: 1 byte after the last field");
}

TEST(ProtocolV2DecodeTest, InvalidUtf8IsRefused) {
  EXPECT_EQ(v2_error(v2::decode_dm_request(ref1 +
                                           "\x03"
                                           "bob" +
                                           u32_le(1) + "\xFF")),
            "malformed DM: text: invalid UTF-8");
  EXPECT_EQ(v2_error(v2::decode_join_request(ref1 + "\x02\xC0\x80")), // overlong NUL
            "malformed JOIN: channel: invalid UTF-8");
  EXPECT_EQ(v2_error(v2::decode_msg_delivery("\x01"
                                             "d"
                                             "\x03\xED\xA0\x80" +
                                             u32_le(0))),
            "malformed MSG: sender: invalid UTF-8"); // a UTF-16 surrogate
  // A string cut inside a code point by its own length is invalid, even if the bytes go on.
  EXPECT_EQ(v2_error(v2::decode_join_request(ref1 + "\x01\xC3\xA9")),
            "malformed JOIN: channel: invalid UTF-8");
  EXPECT_EQ(v2_error(v2::decode_hello_reply(u16_le(2) + u16_le(1) + "\x80")),
            "malformed HELLO: features: invalid UTF-8");
}

TEST(ProtocolV2DecodeTest, UnknownEnumValuesAreRefused) {
  EXPECT_EQ(v2_error(v2::decode_reply(ref1 + "\x07" + u16_le(0))),
            "malformed REPLY: status: unknown value 7");
  EXPECT_EQ(v2_error(v2::decode_reply(ref1 + "\x02" + u16_le(0))),
            "malformed REPLY: status: unknown value 2");
  std::string names = "\x03"
                      "dev"
                      "\x03"
                      "ann";
  EXPECT_EQ(v2_error(v2::decode_presence_event(names + std::string(1, '\0'))),
            "malformed PRESENCE: event: unknown value 0");
  EXPECT_EQ(v2_error(v2::decode_presence_event(names + "\x04")),
            "malformed PRESENCE: event: unknown value 4");
  EXPECT_EQ(v2_error(v2::decode_presence_event(names + "\xFF")),
            "malformed PRESENCE: event: unknown value 255");
}

TEST(ProtocolV2DecodeTest, HugeCountWithTinyPayloadIsRefusedBeforeReserving) {
  std::string who_head = ref1 +
                         "\x03"
                         "dev" +
                         u32_le(70000);
  EXPECT_EQ(v2_error(v2::decode_who_reply(who_head + u16_le(0xFFFF) + std::string(1, '\0'))),
            "malformed WHO_REPLY: n: count 65535 needs at least 65536 more bytes, 1 left");
  std::string list_head = ref1 + u32_le(70000);
  EXPECT_EQ(v2_error(v2::decode_list_reply(list_head + u16_le(0xFFFF) + "abc")),
            "malformed LIST_REPLY: n: count 65535 needs at least 327676 more bytes, 3 left");
  // Just enough bytes for the count, but they are not entries: the reason is the entry's.
  EXPECT_EQ(v2_error(v2::decode_list_reply(list_head + u16_le(1) + std::string(6, '\x09'))),
            "malformed LIST_REPLY: name[0]: length 9 past the end of the payload");
}

TEST(ProtocolV2DecodeTest, ListEntriesNameTheirIndex) {
  std::string head = ref1 +
                     "\x03"
                     "dev" +
                     u32_le(3) + u16_le(3);
  // Count 3, but only two names: the third "name" is the empty str8 meant as `next`.
  EXPECT_EQ(v2_error(v2::decode_who_reply(head +
                                          "\x01"
                                          "a"
                                          "\x01"
                                          "b" +
                                          std::string(1, '\0'))),
            "malformed WHO_REPLY: next: payload ends inside the field");
  EXPECT_EQ(v2_error(v2::decode_who_reply(head +
                                          "\x01"
                                          "a"
                                          "\x01\xFF" +
                                          std::string(2, '\0'))),
            "malformed WHO_REPLY: name[1]: invalid UTF-8");
  std::string list_head = ref1 + u32_le(2) + u16_le(2);
  EXPECT_EQ(v2_error(v2::decode_list_reply(list_head +
                                           "\x01"
                                           "a" +
                                           u32_le(1) +
                                           "\x01"
                                           "b" +
                                           "\x01\x01\x01")),
            "malformed LIST_REPLY: members[1]: payload ends inside the field");
}

TEST(ProtocolV2DecodeTest, EmptyPayloadNamesTheFirstField) {
  EXPECT_EQ(v2_error(v2::decode_hello_request("")),
            "malformed HELLO: version: payload ends inside the field");
  EXPECT_EQ(v2_error(v2::decode_msg_delivery("")),
            "malformed MSG: channel: payload ends inside the field");
  EXPECT_EQ(v2_error(v2::decode_list_reply("")),
            "malformed LIST_REPLY: ref: payload ends inside the field");
}
