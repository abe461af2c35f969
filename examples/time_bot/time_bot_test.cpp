// time_bot_test.cpp -- the time bot in a real in-process node, asked by real TCP clients of both
// protocol versions: one node per test (examples/testing/in_process_node.hpp), wired as
// time-bot-server wires it, with a fixed clock.
#include "examples/time_bot/time_bot.hpp"

#include "examples/testing/in_process_node.hpp"
#include "messages/errors.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <optional>
#include <string>

namespace caf { // otherwise GTest prints caf::error as "8-byte object <...>"
inline void PrintTo(const error& x, std::ostream* os) {
  *os << to_string(x);
}
} // namespace caf

namespace {

using chat::examples::reply_timeout;

std::chrono::system_clock::time_point fixed_time() {
  std::tm t{};
  t.tm_year = 2026 - 1900;
  t.tm_mon = 0;
  t.tm_mday = 2;
  t.tm_hour = 3;
  t.tm_min = 4;
  t.tm_sec = 5;
  return std::chrono::system_clock::from_time_t(timegm(&t));
}

constexpr const char* answer_text = "the time is 2026-01-02T03:04:05Z";
const std::string bot_answer = std::string{"BROADCAST_MSG timebot: "} + answer_text;

class TimeBotTest : public ::testing::Test {
protected:
  TimeBotTest() {
    // As main.cpp does, before the node accepts anyone.
    bot_ =
        node_.adopt(node_.system().spawn(chat::time_bot, node_.server().roster(),
                                         node_.server().directory(), chat::wall_clock{fixed_time}));
    node_.start();
  }

  void SetUp() override {
    // A member of the lobby only once it observes it (time_bot.cpp, join_lobby).
    ASSERT_TRUE(node_.members_reach("lobby", 1)) << "the bot did not join the lobby";
  }

  chat::examples::in_process_node node_;
  chat::bot_actor bot_;
};

TEST_F(TimeBotTest, AnswersTimeAfterTheAskersOwnBroadcast) {
  auto* ann = node_.logged_in("ann");
  ASSERT_NE(ann, nullptr);
  auto* bob = node_.logged_in("bob");
  ASSERT_NE(bob, nullptr);
  ann->broadcast("!time");
  EXPECT_EQ(ann->next(), "BROADCAST_MSG ann: !time");
  EXPECT_EQ(ann->next(), bot_answer);
  EXPECT_EQ(bob->next(), "BROADCAST_MSG ann: !time");
  EXPECT_EQ(bob->next(), bot_answer);
}

TEST_F(TimeBotTest, IgnoresMessagesThatAreNotTime) {
  auto* ann = node_.logged_in("ann");
  ASSERT_NE(ann, nullptr);
  ann->broadcast("hello");
  ann->broadcast("!time please");
  ann->broadcast("!time");
  EXPECT_EQ(ann->next(), "BROADCAST_MSG ann: hello");
  EXPECT_EQ(ann->next(), "BROADCAST_MSG ann: !time please");
  EXPECT_EQ(ann->next(), "BROADCAST_MSG ann: !time");
  EXPECT_EQ(ann->next(), bot_answer);
  // The bot sees events in the channel's order and answers each in turn, so a stray answer to
  // the first two would have come before the real one, and would show up here.
  ann->broadcast("!time");
  EXPECT_EQ(ann->next(), "BROADCAST_MSG ann: !time");
  EXPECT_EQ(ann->next(), bot_answer);
}

TEST_F(TimeBotTest, AnswersAVersion2ClientInTheSameChannel) {
  auto* ann = node_.logged_in("ann"); // version 1: BROADCAST_MSG
  ASSERT_NE(ann, nullptr);
  chat::examples::v2_user bob{node_, "bob"};
  ASSERT_TRUE(bob->join("lobby"));
  auto said = bob->say("lobby", "!time");
  ASSERT_TRUE(said) << said.text;
  EXPECT_TRUE(bob.saw().wait(std::string{"#lobby timebot: "} + answer_text));
  EXPECT_EQ(ann->next(), "BROADCAST_MSG bob: !time");
  EXPECT_EQ(ann->next(), bot_answer);
}

TEST_F(TimeBotTest, RefusesDirectMessages) {
  chat::examples::v2_user ann{node_, "ann"};
  auto dm = ann->direct("timebot", "!time");
  EXPECT_FALSE(dm);
  EXPECT_EQ(dm.text, chat::to_string(chat::errc::no_direct)) << "it reads its channel only";
}

TEST_F(TimeBotTest, ClientCannotTakeTheBotsName) {
  auto* impostor = node_.connect();
  ASSERT_NE(impostor, nullptr);
  impostor->login("timebot");
  EXPECT_EQ(impostor->next(), "LOGIN Login failed: name taken");
  auto* ann = node_.logged_in("ann");
  ASSERT_NE(ann, nullptr);
  ann->broadcast("!time");
  EXPECT_EQ(ann->next(), "BROADCAST_MSG ann: !time");
  EXPECT_EQ(ann->next(), bot_answer);
}

TEST_F(TimeBotTest, SecondBotIsRefusedAndQuits) {
  caf::scoped_actor self{node_.system()};
  auto second = node_.system().spawn(chat::time_bot, node_.server().roster(),
                                     node_.server().directory(), chat::wall_clock{fixed_time});
  self->monitor(second); // on an actor already gone, the down message comes at once
  std::optional<caf::error> reason;
  self->receive([&reason](const caf::down_msg& dm) { reason = dm.reason; },
                caf::after(reply_timeout) >> [] {});
  ASSERT_TRUE(reason.has_value()) << "the second bot is still running";
  EXPECT_EQ(*reason, chat::make_error(chat::errc::name_taken));
  EXPECT_TRUE(node_.members_reach("lobby", 1));
}

TEST_F(TimeBotTest, EndsWithTheServer) {
  caf::scoped_actor self{node_.system()};
  self->monitor(bot_);
  caf::anon_send_exit(node_.server().roster(), caf::exit_reason::user_shutdown);
  bool down = false;
  self->receive([&down](const caf::down_msg&) { down = true; }, caf::after(reply_timeout) >> [] {});
  EXPECT_TRUE(down) << "the bot outlived the roster";
}

} // namespace
