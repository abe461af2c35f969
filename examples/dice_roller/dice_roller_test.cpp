// dice_roller_test.cpp -- the dice roller: its parser and wording alone, then in a real
// in-process node (examples/testing/in_process_node.hpp) wired as dice-server wires it, with a
// fixed seed, asked by real TCP clients sending raw frames of type 64.
#include "examples/dice_roller/dice_roller.hpp"

#include "examples/testing/in_process_node.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace {

constexpr uint64_t seed = 20261206;

TEST(DiceRollerParse, TakesNdMWithinTheBounds) {
  auto d = chat::parse_dice("2d6");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->count, 2u);
  EXPECT_EQ(d->sides, 6u);
  EXPECT_TRUE(chat::parse_dice("1d1"));
  EXPECT_TRUE(chat::parse_dice("20d1000"));
}

TEST(DiceRollerParse, RefusesEverythingElse) {
  for (const char* bad :
       {"", "d6", "2d", "2", "0d6", "2d0", "21d6", "2d1001", "02d6", "2d06", "+2d6", "-2d6", " 2d6",
        "2d6 ", "2D6", "2x6", "2d6d6", "99999999999d6", "2d99999999999"})
    EXPECT_FALSE(chat::parse_dice(bad)) << '"' << bad << '"';
}

TEST(DiceRollerAnswer, SaysEachDieAndTheSum) {
  EXPECT_EQ(chat::describe_roll("ann", {2, 6}, {3, 5}), "ann rolled 2d6: 3 + 5 = 8");
  EXPECT_EQ(chat::describe_roll("ann", {1, 20}, {17}), "ann rolled 1d20: 17");
}

TEST(DiceRollerAnswer, DrawsEveryDieWithinItsSides) {
  std::mt19937_64 rng{seed};
  for (int i = 0; i < 200; ++i) {
    auto text = chat::answer_roll("ann", "3d4", rng);
    ASSERT_EQ(text.rfind("ann rolled 3d4: ", 0), 0u) << text;
    for (char c : text.substr(16, 9)) // "a + b + c"
      EXPECT_TRUE(c == ' ' || c == '+' || (c >= '1' && c <= '4')) << text;
  }
  EXPECT_EQ(chat::answer_roll("ann", "0d6", rng).rfind("error: ", 0), 0u);
}

// A node with the dice roller on type 64, seeded with `seed`; what each client receives is
// compared with answer_roll on an engine seeded the same way, roll after roll.
class DiceServerTest : public ::testing::Test {
protected:
  DiceServerTest() {
    // As main.cpp does, before the node accepts anyone.
    auto roller =
        node_.adopt(node_.system().spawn(chat::dice_roller, node_.server().roster(), seed));
    node_.server().handle_extension(chat::roll_frame_type, roller);
    node_.start();
  }

  std::string expected(const std::string& user, const std::string& payload) {
    return "TYPE_64 " + chat::answer_roll(user, payload, same_rolls_);
  }

  chat::examples::in_process_node node_;
  std::mt19937_64 same_rolls_{seed};
};

TEST_F(DiceServerTest, RollIsAnsweredToTheSenderOnly) {
  auto* ann = node_.logged_in("ann");
  ASSERT_NE(ann, nullptr);
  auto* bob = node_.logged_in("bob");
  ASSERT_NE(bob, nullptr);
  ann->send(chat::roll_frame_type, "2d6");
  EXPECT_EQ(ann->next(), expected("ann", "2d6"));
  bob->send(chat::roll_frame_type, "20d1000");
  EXPECT_EQ(bob->next(), expected("bob", "20d1000"));
  // Had ann's answer gone to bob too, it would have come before his own; and ann got only hers:
  // a broadcast of hers now is the next thing each of them sees.
  ann->broadcast("done");
  EXPECT_EQ(ann->next(), "BROADCAST_MSG ann: done");
  EXPECT_EQ(bob->next(), "BROADCAST_MSG ann: done");
}

TEST_F(DiceServerTest, BadPayloadGetsAnErrorOfTheSameType) {
  auto* ann = node_.logged_in("ann");
  ASSERT_NE(ann, nullptr);
  for (const char* bad : {"21d6", "2d1001", "two dice", ""}) {
    ann->send(chat::roll_frame_type, bad);
    EXPECT_EQ(ann->next(), "TYPE_64 error: expected NdM such as 2d6, with N 1..20 and M 1..1000")
        << '"' << bad << '"';
  }
  ann->send(chat::roll_frame_type, "1d6"); // the handler is still there
  EXPECT_EQ(ann->next(), expected("ann", "1d6"));
}

TEST_F(DiceServerTest, NotLoggedInGetsLoginFirst) {
  auto* stranger = node_.connect();
  ASSERT_NE(stranger, nullptr);
  stranger->send(chat::roll_frame_type, "2d6");
  EXPECT_EQ(stranger->next(), "ERROR login first"); // the session's answer: the roller never saw it
  stranger->login("cat");
  EXPECT_EQ(stranger->next(), "LOGIN Login OK");
  stranger->send(chat::roll_frame_type, "2d6");
  EXPECT_EQ(stranger->next(), expected("cat", "2d6")) << "the first roll the roller made";
}

TEST_F(DiceServerTest, OtherExtensionTypesStayUnknown) {
  auto* ann = node_.logged_in("ann");
  ASSERT_NE(ann, nullptr);
  ann->send(65, "2d6");
  EXPECT_EQ(ann->next(), "ERROR unknown frame type 65");
}

} // namespace
