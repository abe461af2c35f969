// cluster_channels_test.cpp -- channels, direct messages, WHO and LIST across three chat-server
// processes (docs/CLUSTER.md "Channels across nodes"): members on every node see one order per
// channel, WHO lists every node's members, a DM crosses nodes, and a channel whose owner node
// is killed moves to another node and chat goes on. Clients speak version 2 over raw sockets.
#include "actors/name_owner.hpp"
#include "messages/protocol_v2.hpp"
#include "tests/process/cluster_support.hpp"
#include "tests/process/v2_raw.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace chat::reliability;
using chat::test::address;
using chat::test::ClusterTest;
using chat::test::join_timeout;
namespace v2 = chat::v2;

testing::AssertionResult joined(raw_client& c, const std::string& channel, uint32_t ref) {
  if (!send_v2(c, v2::join_request{ref, channel}))
    return testing::AssertionFailure() << "JOIN not sent";
  auto f = next_of(c, v2::type::reply);
  if (!f) return testing::AssertionFailure() << "JOIN unanswered: " << c.failure();
  auto r = std::get<v2::reply>(v2::decode_reply(f->payload));
  if (r.ref != ref || r.result != v2::status::ok)
    return testing::AssertionFailure() << "JOIN refused: " << r.text;
  return testing::AssertionSuccess();
}

// WHO of `channel` as `c` sees it, all on one page.
// A refusal is printed, for the failure message of the test that waits for a page.
std::optional<v2::who_reply> who(raw_client& c, const std::string& channel, uint32_t ref) {
  if (!send_v2(c, v2::who_request{ref, channel, "", 0})) return std::nullopt;
  while (auto f = c.read_frame()) {
    if (f->type == static_cast<uint8_t>(v2::type::who_reply))
      return std::get<v2::who_reply>(v2::decode_who_reply(f->payload));
    if (f->type == static_cast<uint8_t>(v2::type::reply)) {
      auto r = std::get<v2::reply>(v2::decode_reply(f->payload));
      if (r.ref == ref) {
        std::cout << "[ cluster  ] WHO " << channel << " refused: " << r.text << std::endl;
        return std::nullopt;
      }
    }
  }
  return std::nullopt;
}

class ClusterChannelsTest : public ClusterTest {
protected:
  // A version-2 client "user<i>" on node i, in `channel`; then waits until WHO on node 0 sees
  // all three (joins on other nodes are announced through the channel's owner).
  void three_members(const std::string& channel) {
    ASSERT_NO_FATAL_FAILURE(start_three());
    for (int i = 0; i < 3; ++i) {
      clients.push_back(std::make_unique<raw_client>(nodes[i].port()));
      ASSERT_TRUE(v2_login(*clients.back(), "user" + std::to_string(i)));
      ASSERT_TRUE(joined(*clients.back(), channel, 1));
    }
    auto deadline = clock_type::now() + join_timeout;
    for (uint32_t ref = 100;; ++ref) {
      auto page = who(*clients[0], channel, ref);
      if (page && page->total == 3) break;
      ASSERT_LT(clock_type::now(), deadline) << "WHO never saw three members\n" << logs();
      std::this_thread::sleep_for(50ms);
    }
  }

  std::vector<std::unique_ptr<raw_client>> clients;
};

TEST_F(ClusterChannelsTest, MembersOnThreeNodesSeeOneOrderOfEveryMessage) {
  ASSERT_NO_FATAL_FAILURE(three_members("ops"));
  constexpr int per_sender = 100;
  for (int seq = 0; seq < per_sender; ++seq)
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE(send_v2(*clients[i], v2::msg_request{uint32_t(seq), "ops", std::to_string(seq)}));
  std::vector<std::vector<std::string>> seen(3);
  for (int i = 0; i < 3; ++i) {
    std::map<std::string, int> next;
    while (seen[i].size() < 3 * per_sender) {
      auto f = next_of(*clients[i], v2::type::msg, 10s);
      ASSERT_TRUE(f) << "client on node " << i << " got " << seen[i].size() << " messages\n"
                     << logs();
      auto m = std::get<v2::msg_delivery>(v2::decode_msg_delivery(f->payload));
      EXPECT_EQ(m.channel, "ops");
      EXPECT_EQ(std::stoi(m.text), next[m.sender]++) << m.sender << " out of its own order";
      seen[i].push_back(m.sender + ": " + m.text);
    }
  }
  EXPECT_EQ(seen[0], seen[1]) << "nodes 0 and 1 saw different orders";
  EXPECT_EQ(seen[0], seen[2]) << "nodes 0 and 2 saw different orders";
}

TEST_F(ClusterChannelsTest, WhoAndListCountMembersOfEveryNode) {
  ASSERT_NO_FATAL_FAILURE(three_members("ops"));
  auto page = who(*clients[1], "ops", 7);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->names, (std::vector<std::string>{"user0", "user1", "user2"}));
  auto paged = [&] {
    send_v2(*clients[2], v2::who_request{8, "ops", "user0", 1});
    auto f = next_of(*clients[2], v2::type::who_reply);
    return std::get<v2::who_reply>(v2::decode_who_reply(f->payload));
  }();
  EXPECT_EQ(paged.names, std::vector<std::string>{"user1"});
  EXPECT_EQ(paged.next, "user1");
  ASSERT_TRUE(send_v2(*clients[2], v2::list_request{9, "", 0}));
  auto f = next_of(*clients[2], v2::type::list_reply);
  ASSERT_TRUE(f);
  auto list = std::get<v2::list_reply>(v2::decode_list_reply(f->payload));
  EXPECT_EQ(list.total, 1u);
  ASSERT_EQ(list.channels.size(), 1u);
  EXPECT_EQ(list.channels[0], (v2::channel_count{"ops", 3}));
}

TEST_F(ClusterChannelsTest, DirectMessageCrossesNodes) {
  ASSERT_NO_FATAL_FAILURE(start_three());
  raw_client ann{nodes[0].port()}, bob{nodes[2].port()}, old{nodes[1].port()};
  ASSERT_TRUE(v2_login(ann, "ann"));
  ASSERT_TRUE(v2_login(bob, "bob"));
  ASSERT_TRUE(log_in(old, "old")); // version 1
  ASSERT_TRUE(send_v2(ann, v2::dm_request{1, "bob", "psst"}));
  auto dm = next_of(bob, v2::type::dm);
  ASSERT_TRUE(dm) << logs();
  EXPECT_EQ(std::get<v2::dm_delivery>(v2::decode_dm_delivery(dm->payload)),
            (v2::dm_delivery{"ann", "psst"}));
  auto reply = [&] {
    auto f = next_of(ann, v2::type::reply);
    return f ? std::get<v2::reply>(v2::decode_reply(f->payload)) : v2::reply{};
  };
  EXPECT_EQ(reply(), (v2::reply{1, v2::status::ok, ""}));
  ASSERT_TRUE(send_v2(ann, v2::dm_request{2, "nobody", "hello?"}));
  EXPECT_EQ(reply(), (v2::reply{2, v2::status::refused, "no such user"}));
  ASSERT_TRUE(send_v2(ann, v2::dm_request{3, "old", "hi"}));
  EXPECT_EQ(reply(), (v2::reply{3, v2::status::refused, "user cannot receive direct messages"}));
  EXPECT_FALSE(old.read_frame(200ms)) << "a version-1 client got a frame";
}

TEST_F(ClusterChannelsTest, KillingAChannelsOwnerMovesTheChannelAndChatGoesOn) {
  ASSERT_NO_FATAL_FAILURE(three_members("ops"));
  std::set<std::string> all;
  for (auto& n : nodes)
    all.insert(address(n.cluster_port));
  auto owner = chat::name_owner(all, "#ops");
  int dead = 0;
  while (address(nodes[dead].cluster_port) != owner)
    ++dead;
  int a = (dead + 1) % 3, b = (dead + 2) % 3;
  nodes[dead].server->child().send_signal(SIGKILL);
  auto killed = clock_type::now();
  ASSERT_TRUE(nodes[a].wait_for_count("node lost address=" + owner, 1, join_timeout)) << logs();
  ASSERT_TRUE(nodes[b].wait_for_count("node lost address=" + owner, 1, join_timeout)) << logs();
  ASSERT_TRUE(send_v2(*clients[a], v2::msg_request{50, "ops", "still here"}));
  for (int i : {a, b}) {
    std::optional<v2::msg_delivery> got;
    while (auto f = next_of(*clients[i], v2::type::msg, 10s)) {
      got = std::get<v2::msg_delivery>(v2::decode_msg_delivery(f->payload));
      if (got->text == "still here") break;
    }
    ASSERT_TRUE(got && got->text == "still here") << "node " << i << "\n" << logs();
    EXPECT_EQ(got->sender, "user" + std::to_string(a));
  }
  std::cout << "[ cluster  ] channel moved; chat went on " << ms(clock_type::now() - killed)
            << " ms after SIGKILL of its owner" << std::endl;
  auto page = who(*clients[b], "ops", 60);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 2u) << "the dead node's member is gone";
}

} // namespace
