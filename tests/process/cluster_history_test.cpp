// cluster_history_test.cpp -- channel history across three chat-server processes
// (docs/CLUSTER.md "History"): the channel's owner node numbers every message; a member that
// drops mid-stream and comes back on another node recovers every message exactly once, in
// order; HISTORY asked on any node pages the owner's history; when the owner is killed, the
// new owner starts a new epoch and a recovering client is told so. Version-2 raw clients.
#include "actors/name_owner.hpp"
#include "tests/process/cluster_support.hpp"
#include "tests/process/history_client.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace chat::reliability;
using chat::recovery;
using chat::test::address;
using chat::test::ClusterTest;
using chat::test::join_timeout;
namespace v2 = chat::v2;

class ClusterHistoryTest : public ClusterTest {
protected:
  // The node that owns `channel`, by the rule every node applies.
  int owner_of(const std::string& channel) const {
    std::set<std::string> all;
    for (auto& n : nodes)
      if (n.server) all.insert(address(n.cluster_port));
    auto owner = chat::name_owner(all, "#" + channel);
    for (std::size_t i = 0; i < nodes.size(); ++i)
      if (address(nodes[i].cluster_port) == owner) return static_cast<int>(i);
    return -1;
  }

  std::optional<v2::history_reply> history(raw_client& c, const std::string& channel,
                                           uint32_t ref, uint64_t before, uint16_t limit) {
    if (!send_v2(c, v2::history_request{ref, channel, before, limit})) return std::nullopt;
    auto f = next_of(c, v2::type::history_reply);
    if (!f) return std::nullopt;
    return std::get<v2::history_reply>(v2::decode_history_reply(f->payload));
  }
};

TEST_F(ClusterHistoryTest, AMemberThatDropsMidStreamRecoversOnAnotherNodeEveryMessageOnceInOrder) {
  ASSERT_NO_FATAL_FAILURE(start_three());
  constexpr int senders = 5, per_sender = 200;
  constexpr uint64_t total = senders * per_sender;
  auto member = std::make_unique<raw_client>(nodes[1].port());
  ASSERT_TRUE(v2_login(*member, "m"));
  auto first = join(*member, 1, "h", none());
  ASSERT_TRUE(first) << member->failure() << logs();
  EXPECT_EQ(first->position.result, recovery::not_asked);
  auto epoch = first->position.epoch;
  EXPECT_NE(epoch, 0u) << "the owner keeps history";
  std::vector<std::unique_ptr<raw_client>> s; // sender k on node k % 3
  for (int k = 0; k < senders; ++k) {
    s.push_back(std::make_unique<raw_client>(nodes[k % 3].port()));
    ASSERT_TRUE(v2_login(*s.back(), "s" + std::to_string(k)));
    ASSERT_TRUE(join(*s.back(), 1, "h", none()));
  }
  auto send_round = [&](int from, int to) {
    for (int i = from; i < to; ++i)
      for (int k = 0; k < senders; ++k)
        ASSERT_TRUE(send_v2(
            *s[k], v2::msg_request{1, "h", "s" + std::to_string(k) + "-" + std::to_string(i)}));
  };
  // Each sender reads until it has seen its own last message come back: by then the owner has
  // numbered everything it sent, so nothing is still on its way when the member rejoins.
  auto drain_senders = [&](int upto) {
    for (int k = 0; k < senders; ++k) {
      auto mine = "s" + std::to_string(k) + "-" + std::to_string(upto - 1);
      for (;;) {
        auto m = next_msg(*s[k]);
        ASSERT_TRUE(m) << "sender " << k << " never saw " << mine << "\n" << logs();
        if (m->text == mine) break;
      }
    }
  };
  std::map<uint64_t, std::string> seen;
  send_round(0, per_sender / 2);
  uint64_t last = 0;
  for (int n = 0; n < 300; ++n) {
    auto m = next_msg(*member);
    ASSERT_TRUE(m) << "after " << n << ": " << member->failure() << logs();
    ASSERT_EQ(m->offset, last + 1) << "gap or reorder";
    last = m->offset;
    seen[m->offset] = m->text;
  }
  member.reset(); // drops without a word
  drain_senders(per_sender / 2);
  send_round(per_sender / 2, per_sender);
  drain_senders(per_sender);

  // Back, on another node than before.
  ASSERT_TRUE(login_again(member, nodes[2].port(), "m"));
  auto back = join(*member, 1, "h", since(epoch, last));
  ASSERT_TRUE(back) << member->failure() << logs();
  EXPECT_EQ(back->position.result, recovery::replayed);
  EXPECT_EQ(back->position.epoch, epoch);
  EXPECT_EQ(back->position.last, total);
  EXPECT_EQ(back->position.replayed, total - last);
  while (seen.size() < total) {
    auto m = next_msg(*member);
    ASSERT_TRUE(m) << "with " << seen.size() << " seen: " << member->failure();
    ASSERT_EQ(m->offset, last + 1) << "gap, duplicate or reorder";
    last = m->offset;
    EXPECT_TRUE(seen.emplace(m->offset, m->text).second);
  }
  std::map<std::string, int> next_of_sender;
  for (auto& [offset, text] : seen) {
    auto dash = text.find('-');
    EXPECT_EQ(std::stoi(text.substr(dash + 1)), next_of_sender[text.substr(0, dash)]++) << text;
  }
  EXPECT_EQ(next_of_sender.size(), std::size_t{senders});
  EXPECT_FALSE(next_of(*member, v2::type::msg, 200ms)) << "no message after the last one";

  // HISTORY on a node that is not the owner pages the owner's history.
  int asker = (owner_of("h") + 1) % 3;
  raw_client reader{nodes[asker].port()};
  ASSERT_TRUE(v2_login(reader, "reader"));
  ASSERT_TRUE(join(reader, 1, "h", none()));
  auto page = history(reader, "h", 2, 0, 10);
  ASSERT_TRUE(page) << reader.failure() << logs();
  EXPECT_EQ(page->page.epoch, epoch);
  ASSERT_EQ(page->page.entries.size(), 10u);
  EXPECT_EQ(page->page.entries.front().offset, total - 9);
  EXPECT_EQ(page->page.entries.back().text, seen[total]);
  std::cout << "[ cluster  ] " << total << " messages from " << senders
            << " senders on three nodes; the member dropped after 300, recovered "
            << back->position.replayed << " on another node" << std::endl;
}

TEST_F(ClusterHistoryTest, WhenTheOwnerIsKilledTheNewOwnerStartsANewEpochAndSaysSo) {
  ASSERT_NO_FATAL_FAILURE(start_three());
  int dead = owner_of("k");
  int a = (dead + 1) % 3, b = (dead + 2) % 3;
  auto member = std::make_unique<raw_client>(nodes[a].port());
  ASSERT_TRUE(v2_login(*member, "m"));
  auto first = join(*member, 1, "k", none());
  ASSERT_TRUE(first) << logs();
  auto old_epoch = first->position.epoch;
  raw_client sender{nodes[b].port()};
  ASSERT_TRUE(v2_login(sender, "s"));
  ASSERT_TRUE(join(sender, 1, "k", none()));
  auto last = say(sender, "k", "before-", 5);
  EXPECT_EQ(last, 5u);
  for (int i = 1; i <= 5; ++i) {
    auto m = next_msg(*member);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->offset, static_cast<uint64_t>(i));
  }
  member.reset();

  nodes[dead].server->child().send_signal(SIGKILL);
  auto owner = address(nodes[dead].cluster_port);
  ASSERT_TRUE(nodes[a].wait_for_count("node lost address=" + owner, 1, join_timeout)) << logs();
  ASSERT_TRUE(nodes[b].wait_for_count("node lost address=" + owner, 1, join_timeout)) << logs();
  nodes[dead].server.reset();
  // The channel goes on at its new owner, numbered from 1 in a new epoch.
  auto after = say(sender, "k", "after-", 3);
  EXPECT_EQ(after, 3u);

  ASSERT_TRUE(login_again(member, nodes[a].port(), "m"));
  auto back = join(*member, 1, "k", since(old_epoch, 5));
  ASSERT_TRUE(back) << logs();
  EXPECT_EQ(back->position.result, recovery::epoch_changed);
  EXPECT_NE(back->position.epoch, old_epoch);
  EXPECT_EQ(back->position.last, 3u);
  EXPECT_EQ(back->position.replayed, 0u);
  std::cout << "[ cluster  ] owner killed: epoch " << old_epoch << " -> " << back->position.epoch
            << ", the recovering member was told" << std::endl;
}

} // namespace
