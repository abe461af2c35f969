// write_shape_test.cpp -- how a write of many frames is laid out (one copy or a gather), and where
// a cut slow consumer's write may stop: never inside a frame, never past the one begun.
#include "messages/frame_encoder.hpp"
#include "transport/write_shape.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using chat::transport::copy_write;
using chat::transport::max_copied_write;
using chat::transport::rest_of_begun_frame;
using chat::transport::total_bytes;

// Frames of the given payload sizes; each has a 5-byte header.
std::vector<chat::frame> frames_of(std::vector<std::size_t> payloads) {
  std::vector<chat::frame> out;
  for (auto n : payloads)
    out.push_back(chat::encode(chat::frame_type::send_msg, std::string(n, 'x')));
  return out;
}

TEST(WriteShapeTest, SeveralSmallFramesAreCopiedOneFrameOrALargeWriteIsNot) {
  auto small = frames_of({10, 20, 30});
  EXPECT_EQ(total_bytes(small), 75u);
  EXPECT_TRUE(copy_write(small, total_bytes(small)));

  auto one = frames_of({10});
  EXPECT_FALSE(copy_write(one, total_bytes(one))); // nothing to join: its own bytes go

  auto at_bound = frames_of({max_copied_write / 2 - 5, max_copied_write / 2 - 5});
  EXPECT_EQ(total_bytes(at_bound), max_copied_write);
  EXPECT_TRUE(copy_write(at_bound, total_bytes(at_bound)));

  auto over = frames_of({max_copied_write / 2 - 5, max_copied_write / 2 - 4});
  EXPECT_FALSE(copy_write(over, total_bytes(over))); // a large part is gathered, not copied
}

TEST(WriteShapeTest, ACutWriteFinishesOnlyTheFrameBegunOnTheWire) {
  auto frames = frames_of({5, 5, 5});            // three frames of 10 bytes
  EXPECT_EQ(rest_of_begun_frame(frames, 0), 0u); // nothing on the wire: all may go
  EXPECT_EQ(rest_of_begun_frame(frames, 1), 9u); // the first frame is begun
  EXPECT_EQ(rest_of_begun_frame(frames, 9), 1u);
  EXPECT_EQ(rest_of_begun_frame(frames, 10), 0u); // between two frames
  EXPECT_EQ(rest_of_begun_frame(frames, 13), 7u); // the second is begun
  EXPECT_EQ(rest_of_begun_frame(frames, 29), 1u);
  EXPECT_EQ(rest_of_begun_frame(frames, 30), 0u); // all of it went
}

TEST(WriteShapeTest, AnEmptyWriteHasNothingBegun) {
  std::vector<chat::frame> none;
  EXPECT_EQ(total_bytes(none), 0u);
  EXPECT_FALSE(copy_write(none, 0));
  EXPECT_EQ(rest_of_begun_frame(none, 0), 0u);
}

} // namespace
