// multipart_test.cpp -- the PART frame's bytes, its strict header decoding, and the splitter:
// what is split and what is not, at the boundaries, and that splitting then reassembling gives
// the inner frame back byte for byte.
#include "messages/frame_decoder.hpp"
#include "messages/frame_encoder.hpp"
#include "messages/multipart.hpp"
#include "messages/multipart_reassembly.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

namespace {

namespace v2 = chat::v2;
using kind = v2::part_outcome::kind;

std::string bytes_of(const chat::frame& f) {
  const auto& b = chat::bytes(f);
  return {b.begin(), b.end()};
}

// Payload bytes 0, 1, 2, ... (mod 251, so no piece boundary lines up with the pattern).
std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>(i % 251);
  return s;
}

std::vector<chat::frame> split_ok(v2::message_splitter& s, uint8_t type, const std::string& p) {
  auto got = s.split(type, p);
  EXPECT_TRUE(std::holds_alternative<std::vector<chat::frame>>(got)) << std::get<std::string>(got);
  return std::holds_alternative<std::vector<chat::frame>>(got)
             ? std::get<std::vector<chat::frame>>(got)
             : std::vector<chat::frame>{};
}

TEST(PartFrameTest, HasExactBytes) {
  auto f = v2::encode_part({0x01020304, 1, 3, "ab"});
  EXPECT_EQ(bytes_of(f), std::string("\x0B\x00\x00\x00"
                                     "\x15"
                                     "\x04\x03\x02\x01"
                                     "\x01\x00"
                                     "\x03\x00"
                                     "ab",
                                     15));
}

// docs/PROTOCOL.md "The PART frame": SEND_MSG "hello world" as message 7, split by hand, and
// the two parts reassembled.
TEST(PartFrameTest, WorkedExampleHasExactBytes) {
  auto first = v2::encode_part({7, 0, 2, "\x02hello "});
  auto second = v2::encode_part({7, 1, 2, "world"});
  EXPECT_EQ(bytes_of(first), std::string("\x10\x00\x00\x00"
                                         "\x15"
                                         "\x07\x00\x00\x00"
                                         "\x00\x00"
                                         "\x02\x00"
                                         "\x02hello ",
                                         20));
  EXPECT_EQ(bytes_of(second), std::string("\x0E\x00\x00\x00"
                                          "\x15"
                                          "\x07\x00\x00\x00"
                                          "\x01\x00"
                                          "\x02\x00"
                                          "world",
                                          18));
  v2::message_reassembly r;
  auto now = v2::reassembly_clock::now();
  EXPECT_EQ(r.add(chat::payload_of(first), now).what, kind::incomplete);
  auto out = r.add(chat::payload_of(second), now);
  ASSERT_EQ(out.what, kind::complete);
  EXPECT_EQ(out.message, (chat::inbound_frame{2, "hello world"}));
}

TEST(PartFrameTest, DecodesTheHeaderAndTakesTheRestAsThePiece) {
  auto f = v2::encode_part({7, 2, 5, std::string_view{"x\0y", 3}});
  auto got = v2::decode_part(chat::payload_of(f));
  ASSERT_TRUE(std::holds_alternative<v2::part>(got));
  auto p = std::get<v2::part>(got);
  EXPECT_EQ(p.id, 7u);
  EXPECT_EQ(p.index, 2u);
  EXPECT_EQ(p.count, 5u);
  EXPECT_EQ(p.piece, std::string_view("x\0y", 3)) << "raw bytes: no length, no UTF-8 rule";
  auto empty = v2::decode_part(std::string(8, '\0'));
  ASSERT_TRUE(std::holds_alternative<v2::part>(empty)) << "an empty piece is the reassembly's";
  EXPECT_TRUE(std::get<v2::part>(empty).piece.empty());
}

TEST(PartFrameTest, AShortHeaderNamesTheFieldCutShort) {
  auto reason = [](std::size_t n) {
    auto got = v2::decode_part(std::string(n, '\x01'));
    return std::holds_alternative<std::string>(got) ? std::get<std::string>(got) : "decoded";
  };
  EXPECT_EQ(reason(0), "malformed PART: id: payload ends inside the field");
  EXPECT_EQ(reason(5), "malformed PART: index: payload ends inside the field");
  EXPECT_EQ(reason(7), "malformed PART: count: payload ends inside the field");
  EXPECT_EQ(reason(8), "decoded");
}

TEST(MessageSplitterTest, ABodyThatFitsOneFrameIsThatFrameAndSpendsNoId) {
  v2::message_splitter s{{100, 1000, 16}};
  auto frames = split_ok(s, 10, pattern(99)); // body 100 = max_part_body
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(bytes_of(frames[0]), bytes_of(chat::encode(10, pattern(99))));
  EXPECT_EQ(s.next_id(), 0u);
  EXPECT_EQ(s.parts_for(100), 1u);
}

TEST(MessageSplitterTest, PartsAreFullButTheLastAndFitTheBudget) {
  v2::message_splitter s{{100, 100000, 1024}, 41};
  constexpr std::size_t piece = 100 - v2::part_overhead; // 91
  // Bodies one past the frame, exactly 2 and 3 pieces, and one past those.
  for (std::size_t body : {std::size_t{101}, 2 * piece, 2 * piece + 1, 3 * piece, 3 * piece + 1}) {
    SCOPED_TRACE(body);
    uint32_t id = s.next_id();
    auto frames = split_ok(s, 10, pattern(body - 1));
    std::size_t count = (body + piece - 1) / piece;
    ASSERT_EQ(frames.size(), count);
    EXPECT_EQ(s.parts_for(body), count);
    EXPECT_EQ(s.next_id(), id + 1) << "one fresh id per split message";
    std::string joined;
    for (std::size_t i = 0; i < frames.size(); ++i) {
      EXPECT_EQ(chat::type_of(frames[i]), v2::part_type);
      EXPECT_LE(chat::bytes(frames[i]).size() - 4, 100u) << "within max_part_body";
      auto p = std::get<v2::part>(v2::decode_part(chat::payload_of(frames[i])));
      EXPECT_EQ(p.id, id);
      EXPECT_EQ(p.index, i);
      EXPECT_EQ(p.count, count);
      EXPECT_EQ(p.piece.size(), i + 1 < count ? piece : body - piece * (count - 1));
      joined += p.piece;
    }
    EXPECT_EQ(joined, std::string(1, '\x0A') + pattern(body - 1)) << "type byte, then payload";
  }
}

TEST(MessageSplitterTest, RefusesWhatThePeerWouldRefuse) {
  v2::message_splitter s{{100, 1000, 4}};
  auto reason = [&s](uint8_t type, std::size_t payload) {
    auto got = s.split(type, pattern(payload));
    return std::holds_alternative<std::string>(got) ? std::get<std::string>(got) : "split";
  };
  EXPECT_EQ(reason(10, 4 * 91 - 1), "split") << "4 parts: the most";
  EXPECT_EQ(reason(10, 4 * 91), "message too long") << "5 parts";
  v2::message_splitter small{{100, 200, 1024}};
  EXPECT_EQ(std::get<std::vector<chat::frame>>(small.split(10, pattern(199))).size(), 3u);
  EXPECT_TRUE(std::holds_alternative<std::string>(small.split(10, pattern(200))))
      << "past max_message";
  EXPECT_EQ(reason(v2::part_type, 200), "a part may not carry a PART");
  EXPECT_EQ(std::get<std::vector<chat::frame>>(s.split(v2::part_type, "small")).size(), 1u)
      << "a PART that fits is passed as it is: the peer refuses it if it is one";
}

// Split at many sizes around the piece boundaries, send through the frame decoder as one
// stream, reassemble: the inner frame comes back exactly, once, from its last part.
TEST(MessageSplitterTest, RoundTripsThroughTheDecoderAndTheReassembly) {
  constexpr std::size_t max_body = 64;
  constexpr std::size_t piece = max_body - v2::part_overhead;
  v2::message_splitter s{{max_body, 1 << 16, 1024}};
  v2::message_reassembly r{{1 << 16, 1024, 4, std::chrono::seconds{30}}};
  auto now = v2::reassembly_clock::time_point{} + std::chrono::hours{1};
  for (std::size_t body = 1; body <= 5 * piece + 2; ++body) {
    SCOPED_TRACE(body);
    auto payload = pattern(body - 1);
    auto frames = split_ok(s, 11, payload);
    std::string stream;
    for (const auto& f : frames)
      stream += bytes_of(f);
    chat::frame_decoder d{max_body};
    std::vector<chat::inbound_frame> got;
    auto err = d.feed(stream.data(), stream.size(), [&](uint8_t type, std::string_view p) {
      if (type != v2::part_type) return got.push_back({type, std::string{p}});
      auto out = r.add(p, now);
      if (out.what == kind::complete)
        got.push_back(std::move(out.message));
      else
        EXPECT_EQ(out.what, kind::incomplete) << out.error;
    });
    ASSERT_EQ(err, chat::decode_error::none);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].type, 11);
    EXPECT_EQ(got[0].payload, payload);
    EXPECT_EQ(r.held_bytes(), 0u);
    EXPECT_EQ(r.messages_in_progress(), 0u);
  }
}

} // namespace
