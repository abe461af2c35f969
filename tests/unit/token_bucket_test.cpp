// token_bucket_test.cpp -- the message allowance: a burst, a steady refill, and how long a
// message past it must wait (the session's flood control sets its timer from that).
#include "actors/token_bucket.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

TEST(TokenBucketTest, ABurstThenOneTokenPerIntervalAndTheWaitUntilTheNext) {
  auto t0 = clock_type::time_point{} + 1h;
  chat::token_bucket<clock_type> bucket{4, 2, t0}; // 4/s, burst 2
  EXPECT_EQ(bucket.wait(t0), 0ns);
  EXPECT_TRUE(bucket.take(t0));
  EXPECT_TRUE(bucket.take(t0));
  EXPECT_FALSE(bucket.take(t0));
  EXPECT_EQ(bucket.wait(t0), 250ms) << "one token every 250 ms";
  EXPECT_EQ(bucket.wait(t0 + 100ms), 150ms) << "waiting takes nothing";
  EXPECT_FALSE(bucket.take(t0 + 249ms));
  EXPECT_TRUE(bucket.take(t0 + 250ms));
  EXPECT_EQ(bucket.wait(t0 + 10s), 0ns);
  EXPECT_TRUE(bucket.take(t0 + 10s));
  EXPECT_TRUE(bucket.take(t0 + 10s));
  EXPECT_FALSE(bucket.take(t0 + 10s)) << "a long pause refills the burst, not more";
}

TEST(TokenBucketTest, RateZeroIsNoLimit) {
  chat::token_bucket<clock_type> bucket{0, 1, clock_type::now()};
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(bucket.take(clock_type::now()));
  EXPECT_EQ(bucket.wait(clock_type::now()), 0ns);
}

} // namespace
