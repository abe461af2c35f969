// reassembly_budget_test.cpp -- the server-wide bound on unfinished multi-part messages
// (--max-multipart-held): reassemblies share one reassembly_budget; a part past it refuses its
// message and frees what that message held; completion, expiry and the end of a reassembly give
// their bytes back.
#include "messages/multipart_reassembly.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

// Named, not anonymous: a unity build puts this file beside the other unit tests.
namespace reassembly_budget_test {

namespace v2 = chat::v2;
using kind = v2::part_outcome::kind;
using namespace std::chrono_literals;

const auto t0 = v2::reassembly_clock::time_point{} + 1h;

v2::reassembly_limits shared_limits(const std::shared_ptr<v2::reassembly_budget>& budget) {
  v2::reassembly_limits limits{1000, 8, 4, 10s};
  limits.budget = budget;
  return limits;
}

v2::part_outcome add(v2::message_reassembly& r, uint32_t id, uint16_t index, uint16_t count,
                     std::string_view piece, v2::reassembly_clock::time_point now = t0) {
  return r.add(v2::part{id, index, count, piece}, now);
}

const std::string ten(10, 'x'); // part 0's piece: its type byte and 9 bytes

TEST(ReassemblyBudgetTest, ReservesOnlyWhatFits) {
  v2::reassembly_budget b{100};
  EXPECT_FALSE(b.reserve(101));
  EXPECT_TRUE(b.reserve(60));
  EXPECT_FALSE(b.reserve(41)) << "60 + 41 > 100";
  EXPECT_TRUE(b.reserve(40)) << "exactly the most";
  b.release(100);
  EXPECT_EQ(b.held(), 0u);
}

TEST(ReassemblyBudgetTest, SettlingAReservationLeavesWhatTheReassemblyHolds) {
  v2::reassembly_budget b{100};
  b.reserve(50);
  b.settle(50, 0, 40); // held 40 of the 50 reserved
  EXPECT_EQ(b.held(), 40u);
  b.reserve(30);
  b.settle(30, 40, 70); // held all 30
  EXPECT_EQ(b.held(), 70u);
  b.reserve(10);
  b.settle(10, 70, 0); // the part completed the message: everything goes back
  EXPECT_EQ(b.held(), 0u);
}

TEST(ReassemblyBudgetTest, ReassembliesShareItAndAPartPastItIsRefused) {
  auto budget = std::make_shared<v2::reassembly_budget>(30);
  v2::message_reassembly ann{shared_limits(budget)}, bob{shared_limits(budget)};
  ASSERT_EQ(add(ann, 1, 0, 2, "\x02" + ten).what, kind::incomplete);
  EXPECT_EQ(budget->held(), ann.held_bytes());
  auto refused = add(bob, 7, 0, 2, "\x02" + ten + ten);
  ASSERT_EQ(refused.what, kind::refused);
  EXPECT_EQ(refused.error, "multi-part: message 7: the server holds its most of unfinished "
                           "messages (30 bytes); send it again later");
  EXPECT_EQ(bob.held_bytes(), 0u);
  EXPECT_EQ(add(bob, 7, 1, 2, "y").what, kind::late) << "its id is spent: whole or nothing";
  EXPECT_EQ(budget->held(), ann.held_bytes()) << "the refusal took nothing";

  ASSERT_EQ(add(ann, 1, 1, 2, "z").what, kind::complete);
  EXPECT_EQ(budget->held(), 0u) << "a whole message gives its bytes back";
  EXPECT_EQ(add(bob, 8, 0, 2, "\x02" + ten + ten).what, kind::incomplete) << "room again";
  EXPECT_EQ(budget->held(), bob.held_bytes());
}

TEST(ReassemblyBudgetTest, APartPastItDropsItsMessageInProgressAndFreesItsBytes) {
  auto budget = std::make_shared<v2::reassembly_budget>(30);
  v2::message_reassembly ann{shared_limits(budget)}, bob{shared_limits(budget)};
  ASSERT_EQ(add(ann, 1, 0, 3, "\x02" + ten).what, kind::incomplete);
  ASSERT_EQ(add(bob, 5, 0, 2, ten).what, kind::incomplete);
  auto refused = add(ann, 1, 1, 3, ten + ten);
  ASSERT_EQ(refused.what, kind::refused);
  EXPECT_EQ(ann.held_bytes(), 0u) << "the message can no longer finish: it goes";
  EXPECT_EQ(ann.messages_in_progress(), 0u);
  EXPECT_EQ(budget->held(), bob.held_bytes());
  EXPECT_EQ(add(ann, 1, 2, 3, "z").what, kind::late);
}

TEST(ReassemblyBudgetTest, ExpiryAndTheEndOfAReassemblyGiveTheirBytesBack) {
  auto budget = std::make_shared<v2::reassembly_budget>(1000);
  std::optional<v2::message_reassembly> ann{std::in_place, shared_limits(budget)};
  v2::message_reassembly bob{shared_limits(budget)};
  ASSERT_EQ(add(*ann, 1, 0, 2, "\x02" + ten).what, kind::incomplete);
  ASSERT_EQ(add(bob, 2, 0, 2, "\x02" + ten, t0).what, kind::incomplete);
  ASSERT_EQ(add(bob, 3, 1, 2, ten, t0 + 5s).what, kind::incomplete);
  EXPECT_EQ(budget->held(), ann->held_bytes() + bob.held_bytes());
  ASSERT_EQ(bob.expire(t0 + 10s).size(), 1u) << "message 2 timed out, message 3 not yet";
  EXPECT_EQ(budget->held(), ann->held_bytes() + bob.held_bytes());
  ann.reset(); // the session ended
  EXPECT_EQ(budget->held(), bob.held_bytes());
  ASSERT_EQ(bob.expire(t0 + 15s).size(), 1u);
  EXPECT_EQ(budget->held(), 0u);
}

} // namespace reassembly_budget_test
