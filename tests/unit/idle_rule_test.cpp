// idle_rule_test.cpp -- the step a sweep takes with one connection's silence: a probe after the
// interval, a close after the timeout, and never a close of a peer that was not probed first, even
// when the sweep itself ran late.
#include "transport/idle_rule.hpp"

#include <gtest/gtest.h>

namespace idle_rule_test {

using chat::transport::idle_step;
using chat::transport::next_idle_step;
using namespace std::chrono_literals;

struct policy {
  std::chrono::milliseconds idle_interval{100};
  std::chrono::milliseconds idle_timeout{400};
};

constexpr int64_t ms = 1'000'000;

TEST(IdleRuleTest, APunctualSweepProbesAfterTheIntervalAndClosesAfterTheTimeout) {
  policy p;
  EXPECT_EQ(next_idle_step(0, 0, 99 * ms, p, true), idle_step::none);
  EXPECT_EQ(next_idle_step(0, 0, 100 * ms, p, true), idle_step::probe);
  EXPECT_EQ(next_idle_step(0, 100 * ms, 399 * ms, p, true), idle_step::none); // one probe a silence
  EXPECT_EQ(next_idle_step(0, 100 * ms, 400 * ms, p, true), idle_step::close);
}

TEST(IdleRuleTest, ALateSweepProbesFirstAndGivesThePeerItsWholeGraceToAnswer) {
  policy p; // grace: timeout - interval = 300 ms
  EXPECT_EQ(next_idle_step(0, 0, 900 * ms, p, true), idle_step::probe);
  EXPECT_EQ(next_idle_step(0, 900 * ms, 1199 * ms, p, true), idle_step::none);
  EXPECT_EQ(next_idle_step(0, 900 * ms, 1200 * ms, p, true), idle_step::close);
}

TEST(IdleRuleTest, APeerThatSpokeAfterTheProbeStartsANewSilence) {
  policy p;
  EXPECT_EQ(next_idle_step(150 * ms, 100 * ms, 200 * ms, p, true), idle_step::none);
  EXPECT_EQ(next_idle_step(150 * ms, 100 * ms, 250 * ms, p, true), idle_step::probe);
  EXPECT_EQ(next_idle_step(150 * ms, 100 * ms, 10'000 * ms, p, true), idle_step::probe);
}

TEST(IdleRuleTest, WithoutAProbeTheTimeoutAloneCloses) {
  policy p;
  EXPECT_EQ(next_idle_step(0, 0, 399 * ms, p, false), idle_step::none);
  EXPECT_EQ(next_idle_step(0, 0, 400 * ms, p, false), idle_step::close);
}

TEST(IdleRuleTest, ATimeoutShorterThanTheIntervalStillProbesBeforeItCloses) {
  policy p{400ms, 100ms};
  EXPECT_EQ(next_idle_step(0, 0, 100 * ms, p, true), idle_step::probe);
  EXPECT_EQ(next_idle_step(0, 100 * ms, 125 * ms, p, true), idle_step::close);
}

} // namespace idle_rule_test
