// name_ownership_test.cpp -- the cluster's one name space (docs/CLUSTER.md): which node owns a
// name (rendezvous hashing) and how an owner settles claims, conflicts included.
#include "actors/name_claims.hpp"
#include "actors/name_owner.hpp"

#include <gtest/gtest.h>

#include <map>

namespace {

using chat::name_claims;
using chat::name_owner;
using verdict = chat::name_claims::verdict;

const std::set<std::string> three{"10.0.0.1:9000", "10.0.0.2:9000", "10.0.0.3:9000"};

TEST(NameOwnerTest, EveryNodeWithTheSameViewPicksTheSameOwner) {
  std::set<std::string> same{three.rbegin(), three.rend()}; // built in another order
  for (int i = 0; i < 1000; ++i) {
    auto name = "user" + std::to_string(i);
    EXPECT_EQ(name_owner(three, name), name_owner(same, name));
  }
}

TEST(NameOwnerTest, NamesSpreadOverNodesAndOnlyALostNodesNamesMove) {
  std::map<std::string, int> per_node;
  auto two = three;
  two.erase("10.0.0.2:9000");
  int moved = 0;
  for (int i = 0; i < 3000; ++i) {
    auto name = "user" + std::to_string(i);
    auto& owner = name_owner(three, name);
    ++per_node[owner];
    if (owner != "10.0.0.2:9000") moved += name_owner(two, name) != owner;
  }
  for (auto& [node, n] : per_node)
    EXPECT_GT(n, 800) << node << " owns too few of 3000 names";
  EXPECT_EQ(moved, 0) << "names owned by surviving nodes must stay where they are";
}

TEST(NameOwnerTest, ASingleNodeOwnsEverything) {
  EXPECT_EQ(name_owner({"a:1"}, "ann"), "a:1");
}

auto all_alive = [](const std::string&) { return true; };

TEST(NameClaimsTest, AFreeNameIsGrantedAndATakenOneRefused) {
  name_claims claims;
  EXPECT_EQ(claims.settle("ann", 100, "a:1", false, all_alive, nullptr), verdict::granted);
  EXPECT_EQ(claims.settle("ann", 200, "b:1", false, all_alive, nullptr), verdict::refused);
  EXPECT_EQ(claims.settle("ann", 300, "a:1", false, all_alive, nullptr), verdict::granted)
      << "the holder's own claim again (after a membership change) is granted";
}

TEST(NameClaimsTest, ANewLoginIsFirstComeFirstServedWhateverItsTime) {
  name_claims claims;
  ASSERT_EQ(claims.settle("ann", 200, "b:1", true, all_alive, nullptr), verdict::granted);
  EXPECT_EQ(claims.settle("ann", 100, "a:1", true, all_alive, nullptr), verdict::refused)
      << "a LOGIN that arrives second loses, even with an earlier clock reading";
}

TEST(NameClaimsTest, AfterAPartitionTheEarlierLoginKeepsTheName) {
  name_claims claims;
  ASSERT_EQ(claims.settle("ann", 200, "b:1", false, all_alive, nullptr), verdict::granted);
  std::string loser;
  EXPECT_EQ(claims.settle("ann", 100, "a:1", false, all_alive, &loser), verdict::granted_evicted);
  EXPECT_EQ(loser, "b:1");
  EXPECT_EQ(claims.settle("ann", 200, "b:1", false, all_alive, nullptr), verdict::refused);
}

TEST(NameClaimsTest, EqualLoginTimesGoToTheSmallerAddressWhicheverComesFirst) {
  for (bool a_first : {true, false}) {
    name_claims claims;
    std::string loser;
    claims.settle("ann", 100, a_first ? "a:1" : "b:1", false, all_alive, &loser);
    claims.settle("ann", 100, a_first ? "b:1" : "a:1", false, all_alive, &loser);
    EXPECT_EQ(claims.settle("ann", 500, "a:1", false, all_alive, nullptr), verdict::granted)
        << "a:1 should hold the name (a_first=" << a_first << ")";
  }
}

TEST(NameClaimsTest, AClaimHeldByALostNodeIsVoid) {
  name_claims claims;
  claims.settle("ann", 100, "b:1", false, all_alive, nullptr);
  auto b_lost = [](const std::string& node) { return node != "b:1"; };
  EXPECT_EQ(claims.settle("ann", 900, "a:1", false, b_lost, nullptr), verdict::granted);
}

TEST(NameClaimsTest, ReleaseFreesOnlyTheHoldersOwnName) {
  name_claims claims;
  claims.settle("ann", 100, "a:1", false, all_alive, nullptr);
  claims.release("ann", "b:1"); // not b's to release
  EXPECT_EQ(claims.settle("ann", 200, "b:1", false, all_alive, nullptr), verdict::refused);
  claims.release("ann", "a:1");
  EXPECT_EQ(claims.settle("ann", 300, "b:1", false, all_alive, nullptr), verdict::granted);
  EXPECT_EQ(claims.drop_if([](auto&, auto& c) { return c.holder == "b:1"; }), 1u);
  EXPECT_EQ(claims.size(), 0u);
}

} // namespace
