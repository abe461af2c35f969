// protocol_v2_test.cpp -- every v2 payload survives encode then decode, JOIN, MSG delivery and
// WHO_REPLY have the exact bytes of protocol_v2.hpp, and the body-size functions agree with
// encode(). Decode errors are in protocol_v2_decode_test.cpp.
#include "messages/protocol_v2.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <variant>
#include <vector>

namespace v2 = chat::v2;

namespace {

std::vector<char> v2_bytes(std::initializer_list<int> values) {
  std::vector<char> out;
  for (int v : values)
    out.push_back(static_cast<char>(v));
  return out;
}

// A frame split into what a peer's decoder would hand on: type byte and payload, after checking
// that the header's body length matches the bytes that follow it.
struct split_frame {
  uint8_t type = 0;
  std::string payload;
};

split_frame split_v2(const chat::frame& f) {
  const auto& b = chat::bytes(f);
  EXPECT_GE(b.size(), chat::header_size);
  uint32_t body_len = 0;
  for (int i = 0; i < 4; ++i)
    body_len |= static_cast<uint32_t>(static_cast<unsigned char>(b[i])) << (8 * i);
  EXPECT_EQ(body_len, b.size() - 4) << "body length field";
  return {static_cast<uint8_t>(b[4]), std::string(b.begin() + chat::header_size, b.end())};
}

// encode(value), then `decode` on its payload, gives `value` back with the frame type `t`.
template <class T, class Decode> void expect_round_trip(const T& value, v2::type t, Decode decode) {
  auto f = v2::encode(value);
  auto parts = split_v2(f);
  EXPECT_EQ(parts.type, static_cast<uint8_t>(t));
  auto got = decode(parts.payload);
  if (auto* err = std::get_if<std::string>(&got)) {
    ADD_FAILURE() << *err;
    return;
  }
  EXPECT_TRUE(std::get<T>(got) == value);
  // Encoding is canonical: the decoded value encodes to the very same bytes.
  auto again = v2::encode(std::get<T>(got)); // bytes() refers into it: keep it alive
  EXPECT_EQ(chat::bytes(again), chat::bytes(f));
}

const std::string e_acute = "\xC3\xA9";
const std::string max_str8(255, 'n');

} // namespace

TEST(ProtocolV2Test, RequestsRoundTrip) {
  expect_round_trip(v2::hello_request{2}, v2::type::hello, v2::decode_hello_request);
  expect_round_trip(v2::hello_request{0xFFFF}, v2::type::hello, v2::decode_hello_request);
  expect_round_trip(v2::join_request{7, "lobby"}, v2::type::join, v2::decode_join_request);
  expect_round_trip(v2::join_request{0xFFFFFFFF, max_str8}, v2::type::join,
                    v2::decode_join_request);
  expect_round_trip(v2::join_request{0, ""}, v2::type::join, v2::decode_join_request);
  expect_round_trip(v2::leave_request{9, "caf" + e_acute}, v2::type::leave,
                    v2::decode_leave_request);
  expect_round_trip(v2::msg_request{1, "dev", "hello " + e_acute}, v2::type::msg,
                    v2::decode_msg_request);
  expect_round_trip(v2::msg_request{2, "dev", std::string(70000, 'x')}, v2::type::msg,
                    v2::decode_msg_request);
  expect_round_trip(v2::msg_request{3, "dev", ""}, v2::type::msg, v2::decode_msg_request);
  expect_round_trip(v2::dm_request{4, "bob", "psst"}, v2::type::dm, v2::decode_dm_request);
  expect_round_trip(v2::who_request{5, "dev", "ann", 50}, v2::type::who, v2::decode_who_request);
  expect_round_trip(v2::who_request{6, "dev", "", 0}, v2::type::who, v2::decode_who_request);
  expect_round_trip(v2::list_request{7, "a", 0xFFFF}, v2::type::list, v2::decode_list_request);
  expect_round_trip(v2::list_request{}, v2::type::list, v2::decode_list_request);
}

TEST(ProtocolV2Test, RepliesRoundTrip) {
  v2::hello_reply hello{2, "channels,direct,presence", {65536, 64, 100, 0, 50, 5000}};
  expect_round_trip(hello, v2::type::hello, v2::decode_hello_reply);
  v2::hello_reply extremes{0xFFFF,
                           std::string(65535, 'f'),
                           {0xFFFFFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFF, 0xFFFFFFFF}};
  expect_round_trip(extremes, v2::type::hello, v2::decode_hello_reply);
  // Version 3 adds the multi-part bounds after the version-2 limits; version 2 has none of them.
  v2::hello_reply v3{3, "channels,multipart", {65536, 64, 100, 0, 50, 5000, 1 << 20, 1024}};
  expect_round_trip(v3, v2::type::hello, v2::decode_hello_reply);
  EXPECT_EQ(chat::payload_of(v2::encode(v3)).size(),
            chat::payload_of(v2::encode(v2::hello_reply{2, v3.features, v3.limits})).size() + 4 +
                2);
  expect_round_trip(v2::reply{1, v2::status::ok, ""}, v2::type::reply, v2::decode_reply);
  expect_round_trip(v2::reply{2, v2::status::refused, "no such channel"}, v2::type::reply,
                    v2::decode_reply);
  expect_round_trip(v2::msg_delivery{"dev", "ann", "hi " + e_acute}, v2::type::msg,
                    v2::decode_msg_delivery);
  expect_round_trip(v2::dm_delivery{"ann", "psst"}, v2::type::dm, v2::decode_dm_delivery);
  for (auto kind : {v2::presence_kind::joined, v2::presence_kind::left, v2::presence_kind::dropped})
    expect_round_trip(v2::presence_event{"dev", "ann", kind}, v2::type::presence,
                      v2::decode_presence_event);
}

TEST(ProtocolV2Test, ListRepliesRoundTrip) {
  expect_round_trip(v2::who_reply{1, "dev", 3, {"ann", "bob", e_acute}, ""}, v2::type::who_reply,
                    v2::decode_who_reply);
  expect_round_trip(v2::who_reply{2, "dev", 500, {"a", "b"}, "b"}, v2::type::who_reply,
                    v2::decode_who_reply);
  expect_round_trip(v2::who_reply{3, "empty", 0, {}, ""}, v2::type::who_reply,
                    v2::decode_who_reply);
  expect_round_trip(v2::who_reply{4, "dev", 2, {"", ""}, ""}, v2::type::who_reply,
                    v2::decode_who_reply);
  std::vector<std::string> many(1000, max_str8);
  expect_round_trip(v2::who_reply{5, "big", 1000, many, max_str8}, v2::type::who_reply,
                    v2::decode_who_reply);
  expect_round_trip(v2::list_reply{6, 2, {{"dev", 3}, {"lobby", 0xFFFFFFFF}}, ""},
                    v2::type::list_reply, v2::decode_list_reply);
  expect_round_trip(v2::list_reply{7, 90, {{"a", 1}}, "a"}, v2::type::list_reply,
                    v2::decode_list_reply);
  expect_round_trip(v2::list_reply{}, v2::type::list_reply, v2::decode_list_reply);
}

TEST(ProtocolV2Test, JoinHasExactBytes) {
  auto f = v2::encode(v2::join_request{0x01020304, "lobby"});
  EXPECT_EQ(chat::bytes(f), v2_bytes({
                                0x0B, 0x00, 0x00, 0x00,        // body length: 1 + 4 + 1 + 5
                                0x08,                          // JOIN
                                0x04, 0x03, 0x02, 0x01,        // ref, little-endian
                                0x05, 'l', 'o', 'b', 'b', 'y', // str8 channel
                            }));
}

TEST(ProtocolV2Test, MsgDeliveryHasExactBytes) {
  auto f = v2::encode(v2::msg_delivery{"dev", "ann", "h\xC3\xA9", 0x0102030405060708});
  EXPECT_EQ(chat::bytes(f), v2_bytes({
                                0x18, 0x00, 0x00, 0x00, // body length: 1 + 4 + 4 + 7 + 8
                                0x0A,                   // MSG
                                0x03, 'd',  'e',  'v',  // str8 channel
                                0x03, 'a',  'n',  'n',  // str8 sender
                                0x03, 0x00, 0x00, 0x00, // text length, u32
                                'h',  0xC3, 0xA9,       // text
                                0x08, 0x07, 0x06, 0x05, // offset, u64 little-endian
                                0x04, 0x03, 0x02, 0x01,
                            }));
}

TEST(ProtocolV2Test, WhoReplyHasExactBytes) {
  auto f = v2::encode(v2::who_reply{0x2A, "d", 0x0102, {"a", "bc"}, "bc"});
  EXPECT_EQ(chat::bytes(f), v2_bytes({
                                0x15, 0x00, 0x00, 0x00, // body length: 1 + 4+2+4+2+2+3+3
                                0x10,                   // WHO_REPLY
                                0x2A, 0x00, 0x00, 0x00, // ref
                                0x01, 'd',              // channel
                                0x02, 0x01, 0x00, 0x00, // total
                                0x02, 0x00,             // n, u16
                                0x01, 'a',              // names
                                0x02, 'b',  'c',        //
                                0x02, 'b',  'c',        // next
                            }));
}

TEST(ProtocolV2Test, ReplyHasExactBytes) {
  auto f = v2::encode(v2::reply{1, v2::status::refused, "no"});
  EXPECT_EQ(chat::bytes(f), v2_bytes({0x0A, 0x00, 0x00, 0x00, 0x0E, 0x01, 0x00, 0x00, 0x00, 0x01,
                                      0x02, 0x00, 'n', 'o'}));
}

TEST(ProtocolV2Test, EncodedFrameReservesExactly) {
  // One reserve of the exact size: capacity equals size (no geometric growth left over).
  auto f = v2::encode(v2::who_reply{1, "dev", 3, {"ann", "bob", "cy"}, ""});
  EXPECT_EQ(chat::bytes(f).capacity(), chat::bytes(f).size());
}

TEST(ProtocolV2Test, BodySizesMatchEncodedFrames) {
  for (std::size_t channel : {0, 1, 64, 255})
    for (std::size_t sender : {0, 3, 32, 255})
      for (std::size_t text : {0, 1, 1000, 70000}) {
        auto f = v2::encode(v2::msg_delivery{std::string(channel, 'c'), std::string(sender, 's'),
                                             std::string(text, 't')});
        EXPECT_EQ(v2::msg_delivery_body_size(channel, sender, text), chat::bytes(f).size() - 4)
            << channel << " " << sender << " " << text;
      }
  for (std::size_t sender : {0, 3, 255})
    for (std::size_t text : {0, 1, 70000}) {
      auto f = v2::encode(v2::dm_delivery{std::string(sender, 's'), std::string(text, 't')});
      EXPECT_EQ(v2::dm_delivery_body_size(sender, text), chat::bytes(f).size() - 4)
          << sender << " " << text;
    }
}

TEST(ProtocolV2Test, TypeNamesAreTheFrameNames) {
  EXPECT_EQ(chat::frame_type_name(static_cast<uint8_t>(v2::type::hello)), "HELLO");
  EXPECT_EQ(chat::frame_type_name(static_cast<uint8_t>(v2::type::list_reply)), "LIST_REPLY");
  EXPECT_TRUE(v2::is_v2_type(7) && v2::is_v2_type(63));
  EXPECT_FALSE(v2::is_v2_type(6) || v2::is_v2_type(64));
}
