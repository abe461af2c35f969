// frame_encoder_test.cpp -- exact bytes of encoded frames, shared frames, and frame type names.
#include "messages/frame_encoder.hpp"

#include "messages/frame.hpp"
#include "messages/frame_decoder.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace {

// A frame's bytes by value: bytes() of a temporary frame would dangle.
std::vector<char> copy_of(const chat::frame& f) {
  return chat::bytes(f);
}

std::vector<char> byte_vector(std::initializer_list<int> values) {
  std::vector<char> out;
  for (int v : values)
    out.push_back(static_cast<char>(v));
  return out;
}

} // namespace

TEST(FrameEncoderTest, LoginFrameHasExactBytes) {
  auto f = chat::encode(chat::frame_type::login, "ann");
  EXPECT_EQ(chat::bytes(f), byte_vector({0x04, 0x00, 0x00, 0x00, 0x01, 'a', 'n', 'n'}));
}

TEST(FrameEncoderTest, EmptyPayloadIsHeaderOnly) {
  auto f = chat::encode(chat::frame_type::pong, "");
  EXPECT_EQ(chat::bytes(f), byte_vector({0x01, 0x00, 0x00, 0x00, 0x06}));
}

TEST(FrameEncoderTest, RawTypeByteIsWrittenAsIs) {
  auto f = chat::encode(uint8_t{200}, "x");
  EXPECT_EQ(chat::bytes(f), byte_vector({0x02, 0x00, 0x00, 0x00, 200, 'x'}));
}

TEST(FrameEncoderTest, LengthIsLittleEndian) {
  std::string payload(300, 'q');
  auto f = chat::encode(chat::frame_type::send_msg, payload);
  const auto& b = chat::bytes(f);
  ASSERT_EQ(b.size(), chat::header_size + 300);
  EXPECT_EQ(std::vector<char>(b.begin(), b.begin() + chat::header_size),
            byte_vector({0x2D, 0x01, 0x00, 0x00, 0x02})); // 301 = 0x012D
  EXPECT_EQ(std::string(b.begin() + chat::header_size, b.end()), payload);
}

TEST(FrameEncoderTest, LengthUsesAllFourBytes) {
  std::string payload(0x10000, 'z'); // body_len 0x010001
  auto f = chat::encode(chat::frame_type::broadcast_msg, payload);
  const auto& b = chat::bytes(f);
  ASSERT_EQ(b.size(), chat::header_size + payload.size());
  EXPECT_EQ(std::vector<char>(b.begin(), b.begin() + chat::header_size),
            byte_vector({0x01, 0x00, 0x01, 0x00, 0x03}));
}

TEST(FrameEncoderTest, BroadcastIsNameColonText) {
  auto f = chat::encode_broadcast("ann", "hi");
  EXPECT_EQ(chat::bytes(f), copy_of(chat::encode(chat::frame_type::broadcast_msg, "ann: hi")));
  EXPECT_EQ(chat::bytes(f),
            byte_vector({0x08, 0x00, 0x00, 0x00, 0x03, 'a', 'n', 'n', ':', ' ', 'h', 'i'}));
}

TEST(FrameEncoderTest, BroadcastWithEmptyTextKeepsTheSeparator) {
  auto f = chat::encode_broadcast("bob", "");
  EXPECT_EQ(chat::bytes(f), copy_of(chat::encode(chat::frame_type::broadcast_msg, "bob: ")));
}

TEST(FrameEncoderTest, EncodeIntoAppendsToExistingBytes) {
  std::vector<char> out{'x', 'y'};
  chat::encode_into(out, static_cast<uint8_t>(chat::frame_type::ping), "p");
  chat::encode_into(out, static_cast<uint8_t>(chat::frame_type::pong), "");
  EXPECT_EQ(out, byte_vector({'x', 'y', 0x02, 0x00, 0x00, 0x00, 0x05, 'p', //
                              0x01, 0x00, 0x00, 0x00, 0x06}));
}

TEST(FrameEncoderTest, CopiedFrameSharesTheSameBytes) {
  auto a = chat::encode(chat::frame_type::broadcast_msg, "ann: hi");
  chat::frame copy = a;
  EXPECT_EQ(chat::bytes(a).data(), chat::bytes(copy).data());
  EXPECT_EQ(chat::bytes(copy), chat::bytes(a));
}

TEST(FrameEncoderTest, EveryTypeRoundTripsThroughTheDecoder) {
  const std::vector<std::pair<chat::frame_type, std::string>> sent{
      {chat::frame_type::login, "ann"},        {chat::frame_type::send_msg, "hello"},
      {chat::frame_type::broadcast_msg, "hi"}, {chat::frame_type::error, "login first"},
      {chat::frame_type::ping, "42"},          {chat::frame_type::pong, ""}};
  std::vector<char> stream;
  for (const auto& [type, payload] : sent) {
    auto f = chat::encode(type, payload); // bytes() refers into f: keep f alive
    const auto& b = chat::bytes(f);
    stream.insert(stream.end(), b.begin(), b.end());
  }
  std::vector<std::pair<chat::frame_type, std::string>> got;
  chat::frame_decoder d;
  auto err = d.feed(stream.data(), stream.size(), [&got](uint8_t type, std::string_view payload) {
    got.emplace_back(static_cast<chat::frame_type>(type), std::string{payload});
  });
  EXPECT_EQ(err, chat::decode_error::none);
  EXPECT_EQ(got, sent);
  EXPECT_FALSE(d.mid_frame());
}

TEST(FrameTypeNameTest, KnownTypesRoundTrip) {
  const std::vector<std::pair<uint8_t, std::string>> names{
      {1, "LOGIN"},      {2, "SEND_MSG"},   {3, "BROADCAST_MSG"}, {4, "ERROR"},  {5, "PING"},
      {6, "PONG"},       {7, "HELLO"},      {8, "JOIN"},          {9, "LEAVE"},  {10, "MSG"},
      {11, "DM"},        {12, "WHO"},       {13, "LIST"},         {14, "REPLY"}, {15, "PRESENCE"},
      {16, "WHO_REPLY"}, {17, "LIST_REPLY"}};
  for (const auto& [type, name] : names) {
    EXPECT_EQ(chat::frame_type_name(type), name);
    EXPECT_EQ(chat::frame_type_from_name(name), std::optional<uint8_t>{type}) << name;
  }
}

TEST(FrameTypeNameTest, UnknownTypesUseTheirNumber) {
  EXPECT_EQ(chat::frame_type_name(77), "TYPE_77");
  EXPECT_EQ(chat::frame_type_from_name("TYPE_77"), std::optional<uint8_t>{77});
  EXPECT_EQ(chat::frame_type_name(0), "TYPE_0");
  EXPECT_EQ(chat::frame_type_from_name("TYPE_0"), std::optional<uint8_t>{0});
  EXPECT_EQ(chat::frame_type_name(255), "TYPE_255");
  EXPECT_EQ(chat::frame_type_from_name("TYPE_255"), std::optional<uint8_t>{255});
  // The first numbers past the version-2 range print as numbers again.
  EXPECT_EQ(chat::frame_type_name(21), "TYPE_21");
  EXPECT_EQ(chat::frame_type_name(64), "TYPE_64");
}

TEST(FrameTypeNameTest, NumberSpellingStillParsesForNamedTypes) {
  // Scenario files written before version 2 say TYPE_9; it still means byte 9, now LEAVE.
  EXPECT_EQ(chat::frame_type_from_name("TYPE_9"), std::optional<uint8_t>{9});
  EXPECT_EQ(chat::frame_type_name(9), "LEAVE");
}

TEST(FrameTypeNameTest, MalformedNamesAreRejected) {
  for (const char* name : {"TYPE_", "TYPE_256", "TYPE_x", "TYPE_7x", "bogus", "login", ""})
    EXPECT_EQ(chat::frame_type_from_name(name), std::nullopt) << name;
}
