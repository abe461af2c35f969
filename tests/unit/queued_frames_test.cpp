// queued_frames_test.cpp -- a TCP connection's queued frames as a value: which are copied and
// which shared, the pieces a write sends (in order), where a cut slow consumer's write may stop
// (never inside a frame, never past the one begun), and what an idle queue keeps.
#include "messages/frame_encoder.hpp"
#include "transport/queued_frames.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace queued_frames_test {

using chat::transport::queued_frames;

// A frame of `payload` bytes of `c`; each has a 5-byte header.
chat::frame frame_of(std::size_t payload, char c = 'x') {
  return chat::encode(chat::frame_type::send_msg, std::string(payload, c));
}

std::vector<chat::frame> frames_of(std::vector<std::size_t> payloads) {
  std::vector<chat::frame> out;
  for (auto n : payloads)
    out.push_back(frame_of(n));
  return out;
}

struct pieces {
  std::vector<std::size_t> sizes;
  std::string bytes;
};

pieces pieces_of(const queued_frames& q) {
  pieces out;
  q.for_each_piece([&](const char* data, std::size_t n) {
    out.sizes.push_back(n);
    out.bytes.append(data, n);
  });
  return out;
}

std::string wire_of(const std::vector<chat::frame>& frames) {
  std::string out;
  for (auto& f : frames)
    out.append(chat::bytes(f).begin(), chat::bytes(f).end());
  return out;
}

TEST(QueuedFramesTest, SmallFramesAreCopiedIntoOnePieceInOrder) {
  auto frames = std::vector<chat::frame>{frame_of(10, 'a'), frame_of(20, 'b'), frame_of(30, 'c')};
  queued_frames q;
  q.append(frames);
  EXPECT_EQ(q.size_bytes(), 75u);
  auto p = pieces_of(q);
  EXPECT_EQ(p.sizes, std::vector<std::size_t>{75});
  EXPECT_EQ(p.bytes, wire_of(frames));
}

TEST(QueuedFramesTest, CopyingStopsAtTheBoundAndLaterFramesAreSharedInOrder) {
  auto half = queued_frames::max_copied / 2 - 5;
  auto frames = frames_of({half, half, 10, 10}); // the first two fill the bound exactly
  queued_frames q;
  q.append(frames);
  auto p = pieces_of(q);
  EXPECT_EQ(p.sizes, (std::vector<std::size_t>{queued_frames::max_copied, 15, 15}));
  EXPECT_EQ(p.bytes, wire_of(frames));
  EXPECT_EQ(q.size_bytes(), queued_frames::max_copied + 30);
}

TEST(QueuedFramesTest, ALargeFrameIsSharedBetweenCopiedOnes) {
  auto frames = std::vector<chat::frame>{frame_of(10, 'a'), frame_of(queued_frames::max_copied),
                                         frame_of(10, 'b'), frame_of(10, 'c')};
  queued_frames q;
  q.append(frames);
  auto p = pieces_of(q);
  EXPECT_EQ(p.sizes, (std::vector<std::size_t>{15, queued_frames::max_copied + 5, 30}));
  EXPECT_EQ(p.bytes, wire_of(frames));
}

TEST(QueuedFramesTest, BytesThatAreNotAWholeFrameAreSharedNotCopied) {
  // A test client may send raw bytes: half a header, or a header whose length says more.
  queued_frames q;
  auto raw = chat::frame{std::vector<char>{'\x01', '\x00'}};
  q.push_back(frame_of(3));
  q.push_back(raw);
  q.push_back(frame_of(3));
  EXPECT_EQ(pieces_of(q).sizes, (std::vector<std::size_t>{8, 2, 8}));
  EXPECT_EQ(q.rest_of_begun_frame(9), 1u); // the raw bytes are one unit
}

TEST(QueuedFramesTest, ACutWriteFinishesOnlyTheFrameBegunOnTheWire) {
  queued_frames q;
  q.append(frames_of({5, 5, 5}));          // three frames of 10 bytes, copied
  EXPECT_EQ(q.rest_of_begun_frame(0), 0u); // nothing on the wire: all may go
  EXPECT_EQ(q.rest_of_begun_frame(1), 9u); // the first frame is begun
  EXPECT_EQ(q.rest_of_begun_frame(9), 1u);
  EXPECT_EQ(q.rest_of_begun_frame(10), 0u); // between two frames
  EXPECT_EQ(q.rest_of_begun_frame(13), 7u); // the second is begun
  EXPECT_EQ(q.rest_of_begun_frame(29), 1u);
  EXPECT_EQ(q.rest_of_begun_frame(30), 0u); // all of it went
}

TEST(QueuedFramesTest, ACutWriteFindsFrameEndsAcrossCopiedAndSharedPieces) {
  queued_frames q; // 10 copied, then 16 KiB + 5 shared, then 10 copied
  q.append(std::vector<chat::frame>{frame_of(5), frame_of(queued_frames::max_copied), frame_of(5)});
  auto large_end = 10 + queued_frames::max_copied + 5;
  EXPECT_EQ(q.rest_of_begun_frame(5), 5u);
  EXPECT_EQ(q.rest_of_begun_frame(10), 0u);
  EXPECT_EQ(q.rest_of_begun_frame(11), large_end - 11);
  EXPECT_EQ(q.rest_of_begun_frame(large_end), 0u);
  EXPECT_EQ(q.rest_of_begun_frame(large_end + 3), 7u);
}

TEST(QueuedFramesTest, AnEmptyQueueHasNothingBegun) {
  queued_frames q;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size_bytes(), 0u);
  EXPECT_EQ(q.rest_of_begun_frame(0), 0u);
  EXPECT_TRUE(pieces_of(q).sizes.empty());
}

TEST(QueuedFramesTest, SwapAndClearKeepTheFramesApartAndTheBytesWhole) {
  queued_frames a, b;
  a.append(frames_of({3, 4}));
  a.swap(b);
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(b.size_bytes(), 17u);
  b.clear();
  EXPECT_TRUE(b.empty());
  b.push_back(frame_of(1, 'z'));
  EXPECT_EQ(pieces_of(b).bytes, wire_of({frame_of(1, 'z')}));
}

TEST(QueuedFramesTest, TrimGivesBackABurstsBufferOnlyOnceTheQueueIsEmpty) {
  queued_frames q;
  q.append(frames_of({4000, 4000, 20'000})); // copied, copied, shared
  q.trim();                                  // not empty: nothing is dropped
  EXPECT_EQ(q.size_bytes(), 28'015u);
  q.clear();
  q.trim();
  EXPECT_TRUE(q.empty());
  q.push_back(frame_of(3));
  EXPECT_EQ(pieces_of(q).bytes, wire_of({frame_of(3)}));
}

} // namespace queued_frames_test
