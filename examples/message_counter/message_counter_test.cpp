// message_counter_test.cpp -- the message counter in a real in-process node
// (examples/testing/in_process_node.hpp) wired as counter-server wires it, counting #lobby and
// #dev, talked to by real clients: version 2 through the client library, version 1 raw.
#include "examples/message_counter/message_counter.hpp"

#include "examples/testing/in_process_node.hpp"
#include "messages/errors.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using chat::examples::v2_user;

class MessageCounterTest : public ::testing::Test {
protected:
  MessageCounterTest() {
    // As main.cpp does with --count-in lobby,dev, before the node accepts anyone.
    node_.adopt(node_.system().spawn(chat::message_counter, node_.server().roster(),
                                     node_.server().directory(),
                                     std::vector<std::string>{"lobby", "dev"}));
    node_.start();
  }

  void SetUp() override {
    // A member only once it observes (message_counter.cpp, attach): counting from here on.
    ASSERT_TRUE(node_.members_reach("lobby", 1)) << "the counter did not join lobby";
    ASSERT_TRUE(node_.members_reach("dev", 1)) << "the counter did not join dev";
  }

  chat::examples::in_process_node node_;
};

TEST_F(MessageCounterTest, CountsOthersMessagesPerChannelButNotCommandsOrItsAnswers) {
  v2_user ann{node_, "ann"}, bob{node_, "bob"};
  for (auto* u : {&ann, &bob}) {
    ASSERT_TRUE((*u)->join("lobby"));
    ASSERT_TRUE((*u)->join("dev"));
  }
  ASSERT_TRUE(ann->say("lobby", "hi"));
  ASSERT_TRUE(bob->say("lobby", "hello"));
  ASSERT_TRUE(bob->say("dev", "a build broke"));
  ASSERT_TRUE(ann->say("lobby", "!count"));
  EXPECT_TRUE(bob.saw().wait("#lobby counter: 2 messages in #lobby since I came"));
  // Neither that "!count" nor the answer to it counts: asked again, the same number.
  ASSERT_TRUE(bob->say("lobby", "!count"));
  EXPECT_TRUE(ann.saw().wait("#lobby counter: 2 messages in #lobby since I came", 2));
  ASSERT_TRUE(ann->say("dev", "!count"));
  EXPECT_TRUE(ann.saw().wait("#dev counter: 1 messages in #dev since I came"));
}

TEST_F(MessageCounterTest, CountsVersion1BroadcastsInTheLobbyToo) {
  auto* cat = node_.logged_in("cat"); // a version-1 client: it is put in the lobby at LOGIN
  ASSERT_NE(cat, nullptr);
  cat->broadcast("meow");
  cat->broadcast("!count");
  EXPECT_EQ(cat->next(), "BROADCAST_MSG cat: meow");
  EXPECT_EQ(cat->next(), "BROADCAST_MSG cat: !count");
  EXPECT_EQ(cat->next(), "BROADCAST_MSG counter: 1 messages in #lobby since I came");
}

TEST_F(MessageCounterTest, StopCountingDetachesFromThatChannelOnly) {
  v2_user ann{node_, "ann"};
  ASSERT_TRUE(ann->join("lobby"));
  ASSERT_TRUE(ann->join("dev"));
  ASSERT_TRUE(ann->say("dev", "one"));
  ASSERT_TRUE(ann->say("dev", "!stop-counting"));
  EXPECT_TRUE(ann.saw().wait("#dev counter: stopped counting #dev after 1 messages"));
  EXPECT_TRUE(ann.saw().wait("counter left #dev"));
  // An observed channel stays alive without members; #dev retiring once ann leaves it shows the
  // counter no longer observes it, not only that it left.
  ASSERT_TRUE(ann->leave("dev"));
  EXPECT_TRUE(node_.channel_retires("dev")) << "someone still observes #dev";
  // The lobby is still counted.
  ASSERT_TRUE(ann->say("lobby", "still here"));
  ASSERT_TRUE(ann->say("lobby", "!count"));
  EXPECT_TRUE(ann.saw().wait("#lobby counter: 1 messages in #lobby since I came"));
}

TEST_F(MessageCounterTest, RefusesDirectMessagesAndKeepsItsName) {
  v2_user ann{node_, "ann"};
  auto dm = ann->direct("counter", "!count");
  EXPECT_FALSE(dm);
  EXPECT_EQ(dm.text, chat::to_string(chat::errc::no_direct));
  auto* impostor = node_.connect();
  ASSERT_NE(impostor, nullptr);
  impostor->login("counter");
  EXPECT_EQ(impostor->next(), "LOGIN Login failed: name taken");
}

} // namespace
