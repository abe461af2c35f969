// outbound_policy_test.cpp -- the slow-consumer and back-pressure rules as plain arithmetic: no
// socket, no clock; the "kernel" is a number the test sets.
#include "transport/outbound_policy.hpp"

#include <gtest/gtest.h>

namespace {

using chat::transport::outbound_policy;

constexpr std::size_t bound = 1000;
constexpr int64_t ms = 1'000'000;

struct policy_run {
  outbound_policy policy{[] {
    outbound_policy::limits l;
    l.bound = bound;
    l.behind_bytes = 100;
    l.grace_ns = 250 * ms;
    l.recheck_ns = 1 * ms;
    return l;
  }()};
  std::size_t unsent = 0; // what the kernel holds unsent
  int kernel_reads = 0;

  outbound_policy::decision at(std::size_t queued, int64_t now_ms) {
    return policy.judge(queued, now_ms * ms, [this] {
      ++kernel_reads;
      return unsent;
    });
  }
};

TEST(OutboundPolicyTest, AShortQueueNeedsNoSystemCall) {
  policy_run r;
  for (int t = 0; t < 100; ++t) {
    auto d = r.at(bound / 4, t);
    EXPECT_FALSE(d.press);
    EXPECT_FALSE(d.cut);
  }
  EXPECT_EQ(r.kernel_reads, 0);
}

TEST(OutboundPolicyTest, OurOwnBacklogPressesWithHysteresisAndIsNeverCut) {
  policy_run r; // the peer keeps up: the kernel holds nothing
  EXPECT_FALSE(r.at(bound / 2, 0).press) << "at half, not past it";
  EXPECT_TRUE(r.at(bound / 2 + 1, 1).press);
  EXPECT_TRUE(r.at(bound / 3, 2).press) << "keeps pressing until under a quarter";
  EXPECT_FALSE(r.at(bound / 4, 3).press);
  // However long and large: a queue the peer takes as fast as we write is ours to drain.
  for (int t = 10; t < 10'000; t += 10) {
    auto d = r.at(50 * bound, t);
    ASSERT_TRUE(d.press);
    ASSERT_FALSE(d.cut) << "at " << t << " ms";
  }
}

TEST(OutboundPolicyTest, APeerThatIsBehindNeverPressesAndIsCutPastTheBoundAfterTheGrace) {
  policy_run r;
  r.unsent = 100; // its receive window is shut
  EXPECT_EQ(r.at(bound / 2 + 1, 0).press, false) << "one slow reader holds nobody back";
  EXPECT_FALSE(r.at(bound, 100).cut) << "at the bound, not past it";
  EXPECT_FALSE(r.at(bound + 1, 249).cut) << "behind for 249 ms only";
  auto d = r.at(bound + 1, 250);
  EXPECT_TRUE(d.cut);
  EXPECT_FALSE(d.press);
}

TEST(OutboundPolicyTest, AlreadyBehindWhenItCrossesTheBoundIsCutAtOnce) {
  policy_run r;
  r.unsent = 5000;
  EXPECT_FALSE(r.at(bound / 2, 0).cut); // first seen behind here
  EXPECT_FALSE(r.at(bound, 400).cut);
  EXPECT_TRUE(r.at(bound + 1, 401).cut) << "the grace ran while the queue grew";
}

TEST(OutboundPolicyTest, CatchingUpRestartsTheGrace) {
  policy_run r;
  r.unsent = 100;
  EXPECT_FALSE(r.at(bound + 1, 0).cut);
  r.unsent = 0; // a reader that missed a few scheduler turns, and caught up
  EXPECT_FALSE(r.at(bound + 1, 200).cut);
  EXPECT_TRUE(r.at(bound + 1, 201).press) << "caught up: the backlog is ours again";
  r.unsent = 100;
  EXPECT_FALSE(r.at(bound + 1, 300).cut);
  EXPECT_FALSE(r.at(bound + 1, 549).cut) << "the grace counts from 300 ms";
  EXPECT_TRUE(r.at(bound + 1, 550).cut);
}

TEST(OutboundPolicyTest, TheKernelIsAskedAtMostOncePerRecheckPeriod) {
  policy_run r;
  for (int i = 0; i < 50; ++i)
    r.policy.judge(bound, 5 * ms + i * 1000, [&] { // 50 looks within 50 us
      ++r.kernel_reads;
      return std::size_t{0};
    });
  EXPECT_EQ(r.kernel_reads, 1);
  r.at(bound, 7);
  EXPECT_EQ(r.kernel_reads, 2);
}

TEST(OutboundPolicyTest, AShortQueueForgetsThatThePeerWasBehind) {
  policy_run r;
  r.unsent = 100;
  EXPECT_FALSE(r.at(bound + 1, 0).cut);
  EXPECT_FALSE(r.at(10, 100).cut); // drained: whatever came before is not held against it
  EXPECT_FALSE(r.at(bound + 1, 300).cut) << "behind since 300 ms, not since 0";
  EXPECT_TRUE(r.at(bound + 1, 550).cut);
}

TEST(OutboundPolicyTest, StopPressingEndsPressure) {
  policy_run r;
  EXPECT_TRUE(r.at(bound, 0).press);
  EXPECT_FALSE(r.policy.stop_pressing().press);
  EXPECT_FALSE(r.policy.pressing());
}

} // namespace
