// read_holds_test.cpp -- why a connection's reading is parked: two reasons, each lifted on its
// own, and reading resumes only once neither holds.
#include "transport/read_holds.hpp"

#include <gtest/gtest.h>

namespace {

using chat::transport::read_holds;

TEST(ReadHoldsTest, NothingHoldsAFreshConnection) {
  read_holds holds;
  EXPECT_FALSE(holds.any());
}

TEST(ReadHoldsTest, ReadingResumesOnlyWhenTheLastReasonIsLifted) {
  read_holds holds;
  holds.hold(read_holds::owner_behind);
  holds.hold(read_holds::receivers_behind);
  EXPECT_TRUE(holds.any());
  EXPECT_FALSE(holds.lift(read_holds::owner_behind)); // receivers are still behind
  EXPECT_TRUE(holds.any());
  EXPECT_TRUE(holds.lift(read_holds::receivers_behind));
  EXPECT_FALSE(holds.any());
}

TEST(ReadHoldsTest, LiftingAReasonThatDoesNotHoldLeavesTheOtherInPlace) {
  read_holds holds;
  holds.hold(read_holds::receivers_behind);
  // A late frame_done() for an owner that never held reading back changes nothing.
  EXPECT_FALSE(holds.lift(read_holds::owner_behind));
  EXPECT_TRUE(holds.any());
  holds.hold(read_holds::receivers_behind); // held twice is held once
  EXPECT_TRUE(holds.lift(read_holds::receivers_behind));
}

} // namespace
