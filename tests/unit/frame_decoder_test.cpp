// frame_decoder_test.cpp -- frame_decoder cuts any split of a byte stream into the same frames.
#include "messages/frame_decoder.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace {

using decoded = std::vector<std::pair<int, std::string>>;

// One frame on the wire, written by hand so these tests do not trust the encoder.
std::string wire(uint32_t body_len, uint8_t type, const std::string& payload) {
  std::string out;
  out += static_cast<char>(body_len & 0xFF);
  out += static_cast<char>((body_len >> 8) & 0xFF);
  out += static_cast<char>((body_len >> 16) & 0xFF);
  out += static_cast<char>((body_len >> 24) & 0xFF);
  out += static_cast<char>(type);
  return out + payload;
}

std::string wire(uint8_t type, const std::string& payload) {
  return wire(static_cast<uint32_t>(payload.size() + 1), type, payload);
}

// Feeds `chunk` and appends every emitted frame to `out`.
chat::decode_error feed(chat::frame_decoder& d, const std::string& chunk, decoded& out) {
  return d.feed(chunk.data(), chunk.size(), [&out](uint8_t type, std::string_view payload) {
    out.emplace_back(type, std::string{payload});
  });
}

// Several frames with empty, short and binary payloads and an unknown type.
std::string sample_stream() {
  return wire(1, "ann") + wire(6, "") + wire(3, std::string{"a\0b", 3}) + wire(9, "x") +
         wire(2, "hello world");
}

const decoded sample_frames{
    {1, "ann"}, {6, ""}, {3, std::string{"a\0b", 3}}, {9, "x"}, {2, "hello world"}};

} // namespace

TEST(FrameDecoderTest, HandWrittenBytesDecodeToOneFrame) {
  chat::frame_decoder d;
  decoded out;
  EXPECT_EQ(feed(d,
                 std::string{"\x04\x00\x00\x00\x01"
                             "ann",
                             8},
                 out),
            chat::decode_error::none);
  EXPECT_EQ(out, (decoded{{1, "ann"}}));
  EXPECT_FALSE(d.mid_frame());
}

TEST(FrameDecoderTest, AllAtOnceYieldsEveryFrameInOrder) {
  chat::frame_decoder d;
  decoded out;
  EXPECT_EQ(feed(d, sample_stream(), out), chat::decode_error::none);
  EXPECT_EQ(out, sample_frames);
  EXPECT_FALSE(d.mid_frame());
}

TEST(FrameDecoderTest, EverySplitPointYieldsTheSameFrames) {
  auto stream = sample_stream();
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    chat::frame_decoder d;
    decoded out;
    EXPECT_EQ(feed(d, stream.substr(0, split), out), chat::decode_error::none) << split;
    EXPECT_EQ(feed(d, stream.substr(split), out), chat::decode_error::none) << split;
    EXPECT_EQ(out, sample_frames) << "split at " << split;
    EXPECT_FALSE(d.mid_frame()) << split;
  }
}

TEST(FrameDecoderTest, ByteByByteYieldsTheSameFrames) {
  auto stream = sample_stream();
  chat::frame_decoder d;
  decoded out;
  for (char c : stream)
    ASSERT_EQ(feed(d, std::string(1, c), out), chat::decode_error::none);
  EXPECT_EQ(out, sample_frames);
  EXPECT_FALSE(d.mid_frame());
}

TEST(FrameDecoderTest, EmptyPayloadIsAFrame) {
  chat::frame_decoder d;
  decoded out;
  EXPECT_EQ(feed(d, std::string{"\x01\x00\x00\x00\x05", 5}, out), chat::decode_error::none);
  EXPECT_EQ(out, (decoded{{5, ""}}));
  EXPECT_FALSE(d.mid_frame());
}

TEST(FrameDecoderTest, UnknownTypesPassThroughUntouched) {
  chat::frame_decoder d;
  decoded out;
  EXPECT_EQ(feed(d, wire(9, "a") + wire(200, "b") + wire(0, "c"), out), chat::decode_error::none);
  EXPECT_EQ(out, (decoded{{9, "a"}, {200, "b"}, {0, "c"}}));
}

TEST(FrameDecoderTest, ZeroLengthIsBadLength) {
  chat::frame_decoder d;
  decoded out;
  EXPECT_EQ(feed(d, wire(0, 1, ""), out), chat::decode_error::bad_length);
  EXPECT_EQ(d.failure(), chat::decode_error::bad_length);
  EXPECT_TRUE(out.empty());
}

TEST(FrameDecoderTest, NegativeLengthIsBadLength) {
  for (uint32_t raw : {0xFFFFFFFFu, 0x80000000u}) { // -1 and INT32_MIN
    chat::frame_decoder d{16};
    decoded out;
    EXPECT_EQ(feed(d, wire(raw, 1, "ann"), out), chat::decode_error::bad_length) << raw;
    EXPECT_TRUE(out.empty());
  }
}

TEST(FrameDecoderTest, LengthEqualToMaxFrameIsAccepted) {
  chat::frame_decoder d{16};
  decoded out;
  std::string payload(15, 'p');
  EXPECT_EQ(feed(d, wire(16, 2, payload), out), chat::decode_error::none);
  EXPECT_EQ(out, (decoded{{2, payload}}));
}

TEST(FrameDecoderTest, LengthAboveMaxFrameIsTooLarge) {
  chat::frame_decoder d{16};
  decoded out;
  EXPECT_EQ(feed(d, wire(17, 2, std::string(16, 'p')), out), chat::decode_error::too_large);
  EXPECT_EQ(d.failure(), chat::decode_error::too_large);
  EXPECT_TRUE(out.empty());
}

TEST(FrameDecoderTest, HugeLengthIsTooLargeOnceTheHeaderIsComplete) {
  auto header = wire(0x7FFFFFFF, 2, "");
  ASSERT_EQ(header.size(), chat::header_size);
  chat::frame_decoder all_at_once;
  decoded out;
  EXPECT_EQ(feed(all_at_once, header, out), chat::decode_error::too_large);
  chat::frame_decoder split;
  feed(split, header.substr(0, 2), out);
  EXPECT_EQ(feed(split, header.substr(2), out), chat::decode_error::too_large);
  EXPECT_TRUE(out.empty());
}

TEST(FrameDecoderTest, ErrorIsStickyAndEmitsNothingMore) {
  chat::frame_decoder d{16};
  decoded out;
  ASSERT_EQ(feed(d, wire(17, 1, ""), out), chat::decode_error::too_large);
  EXPECT_EQ(feed(d, wire(1, "ann"), out), chat::decode_error::too_large);
  EXPECT_EQ(feed(d, std::string{"\x01\x00\x00\x00\x05", 5}, out), chat::decode_error::too_large);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(d.failure(), chat::decode_error::too_large);
}

TEST(FrameDecoderTest, FramesBeforeAViolationInTheSameChunkAreEmitted) {
  chat::frame_decoder d;
  decoded out;
  auto chunk = wire(1, "ann") + wire(3, "hi") + wire(0, 1, "") + wire(2, "never");
  EXPECT_EQ(feed(d, chunk, out), chat::decode_error::bad_length);
  EXPECT_EQ(out, (decoded{{1, "ann"}, {3, "hi"}}));
}

TEST(FrameDecoderTest, MidFrameTracksPartialHeaderAndBody) {
  chat::frame_decoder d;
  decoded out;
  EXPECT_FALSE(d.mid_frame());
  auto frame = wire(2, "hello");
  feed(d, frame.substr(0, 3), out);
  EXPECT_TRUE(d.mid_frame()); // inside the length bytes
  feed(d, frame.substr(3, 4), out);
  EXPECT_TRUE(d.mid_frame()); // header done, payload partial
  feed(d, frame.substr(7), out);
  EXPECT_FALSE(d.mid_frame());
  EXPECT_EQ(out, (decoded{{2, "hello"}}));
}

TEST(FrameDecoderTest, MidFrameIsTrueAfterAHeaderWithoutItsPayload) {
  chat::frame_decoder d;
  decoded out;
  feed(d, wire(1, "ann") + wire(2, "hello").substr(0, chat::header_size), out);
  EXPECT_EQ(out, (decoded{{1, "ann"}}));
  EXPECT_TRUE(d.mid_frame());
}

TEST(FrameDecoderTest, ErrorsHaveProtocolReasons) {
  EXPECT_STREQ(chat::to_string(chat::decode_error::bad_length), "bad frame length");
  EXPECT_STREQ(chat::to_string(chat::decode_error::too_large), "frame too large");
}

TEST(FrameDecoderTest, LargePayloadSplitAcrossManyFeedsIsReassembled) {
  std::string payload(64 * 1024, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<char>((i * 31 + i / 251) & 0xFF);
  auto stream = wire(5, payload) + wire(6, "after");
  chat::frame_decoder d{payload.size() + 1};
  decoded out;
  std::size_t pos = 0;
  for (std::size_t step = 1; pos < stream.size(); step = step % 4093 + 97) {
    ASSERT_EQ(feed(d, stream.substr(pos, step), out), chat::decode_error::none);
    pos += step;
  }
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].first, 5);
  EXPECT_TRUE(out[0].second == payload) << "64 KiB payload differs";
  EXPECT_EQ(out[1], (std::pair<int, std::string>{6, "after"}));
  EXPECT_FALSE(d.mid_frame());
}

TEST(FrameDecoderTest, SecondSplitFrameAfterALargeOneIsIntact) {
  chat::frame_decoder d;
  decoded out;
  auto stream = wire(2, std::string(1000, 'a')) + wire(3, "bc");
  for (char c : stream)
    feed(d, std::string(1, c), out);
  EXPECT_EQ(out, (decoded{{2, std::string(1000, 'a')}, {3, "bc"}}));
}
