// udp_replay_window_test.cpp -- transport/udp_replay_window: a DATA is handled the first time
// its sequence number comes, never twice, in whatever order the network brings it within the
// window; one older than the window, or numbered 0, is dropped.
#include "transport/udp_replay_window.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

namespace replay_window_tests {

using chat::transport::udp::replay_window;

TEST(UdpReplayWindowTest, InOrderEachOnceThenNeverAgain) {
  replay_window w;
  for (uint64_t s = 1; s <= 200; ++s) {
    EXPECT_TRUE(w.accept(s)) << s;
    EXPECT_FALSE(w.accept(s)) << "the copy of " << s;
  }
  EXPECT_EQ(w.highest(), 200u);
}

TEST(UdpReplayWindowTest, ZeroIsNeverASequenceNumber) {
  replay_window w;
  EXPECT_FALSE(w.accept(0));
  EXPECT_TRUE(w.accept(1));
  EXPECT_FALSE(w.accept(0));
}

TEST(UdpReplayWindowTest, ReorderedWithinTheWindowEachOnce) {
  replay_window w;
  EXPECT_TRUE(w.accept(10));
  EXPECT_TRUE(w.accept(7)) << "late, but new";
  EXPECT_FALSE(w.accept(7));
  EXPECT_TRUE(w.accept(12));
  EXPECT_TRUE(w.accept(11));
  EXPECT_FALSE(w.accept(10));
  EXPECT_FALSE(w.accept(12));
  EXPECT_TRUE(w.accept(1)) << "11 behind the highest: still in the window";
}

TEST(UdpReplayWindowTest, OlderThanTheWindowIsDropped) {
  replay_window w;
  EXPECT_TRUE(w.accept(100));
  EXPECT_TRUE(w.accept(100 - replay_window::width + 1)) << "the window's oldest";
  EXPECT_FALSE(w.accept(100 - replay_window::width)) << "just past it";
  EXPECT_FALSE(w.accept(2));
}

TEST(UdpReplayWindowTest, AJumpForgetsWhatFellOutAndKeepsWhatDidNot) {
  replay_window w;
  for (uint64_t s = 1; s <= 5; ++s)
    ASSERT_TRUE(w.accept(s));
  EXPECT_TRUE(w.accept(5 + 63)) << "5 is now the window's oldest";
  EXPECT_FALSE(w.accept(5)) << "seen, and still remembered as seen";
  EXPECT_FALSE(w.accept(4)) << "out of the window";
  EXPECT_TRUE(w.accept(6)) << "never seen, in the window";
  EXPECT_TRUE(w.accept(1000)) << "a jump past the whole window";
  EXPECT_FALSE(w.accept(5 + 63));
  EXPECT_TRUE(w.accept(999));
  EXPECT_TRUE(w.accept(UINT64_MAX)) << "the last number there is";
  EXPECT_FALSE(w.accept(UINT64_MAX));
}

// What the lossy relay does to a session, at random: each number sent once or twice, shuffled
// within a few places. Each is accepted exactly once.
TEST(UdpReplayWindowTest, DuplicatedAndShuffledNumbersAreAcceptedExactlyOnce) {
  std::mt19937_64 rng{20261207};
  std::vector<uint64_t> wire;
  for (uint64_t s = 1; s <= 5000; ++s) {
    wire.push_back(s);
    if (rng() % 10 == 0) wire.push_back(s);
  }
  for (std::size_t i = 0; i + 8 < wire.size(); i += 8)
    std::shuffle(wire.begin() + static_cast<long>(i), wire.begin() + static_cast<long>(i) + 8, rng);
  replay_window w;
  std::multiset<uint64_t> accepted;
  for (auto s : wire)
    if (w.accept(s)) accepted.insert(s);
  EXPECT_EQ(accepted.size(), 5000u);
  for (uint64_t s = 1; s <= 5000; ++s)
    ASSERT_EQ(accepted.count(s), 1u) << s;
}

} // namespace replay_window_tests
