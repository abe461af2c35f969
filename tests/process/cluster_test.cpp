// cluster_test.cpp -- several chat-server processes on 127.0.0.1 forming one chat through CAF's
// middleman (docs/CLUSTER.md): joining through one seed, broadcasts across nodes in per-sender
// order, one name space under concurrent logins, and a node killed, freed and rejoined.
#include "tests/process/cluster_support.hpp"
#include "tests/support/binaries.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace chat::reliability;

using chat::test::address;
using chat::test::ClusterTest;
using chat::test::join_timeout;

// "<name>: <seq>" broadcasts from each sender arrive with seq 0, 1, 2, ...
struct order_check {
  std::map<std::string, int> next;
  std::string problem;
  int total = 0;
  void take(const frame& f) {
    auto colon = f.payload.find(": ");
    if (f.type != type::broadcast_msg || colon == std::string::npos) {
      if (problem.empty()) problem = "unexpected frame";
      return;
    }
    auto from = f.payload.substr(0, colon);
    int seq = std::stoi(f.payload.substr(colon + 2));
    if (seq != next[from] && problem.empty())
      problem =
          from + ": expected #" + std::to_string(next[from]) + ", got #" + std::to_string(seq);
    next[from] = seq + 1;
    ++total;
  }
};

TEST_F(ClusterTest, ThreeNodesFromOneSeedShareEveryBroadcastInPerSenderOrder) {
  ASSERT_NO_FATAL_FAILURE(start_three());
  constexpr int per_sender = 100;
  std::vector<std::unique_ptr<raw_client>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<raw_client>(nodes[i].port()));
    ASSERT_TRUE(log_in(*clients.back(), "user" + std::to_string(i)));
  }
  for (int seq = 0; seq < per_sender; ++seq)
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE(clients[i]->send_frame(type::broadcast_msg, std::to_string(seq)));
  for (int i = 0; i < 3; ++i) {
    order_check seen;
    while (seen.total < 3 * per_sender) {
      auto f = clients[i]->read_frame();
      if (!f) break;
      seen.take(*f);
    }
    EXPECT_EQ(seen.total, 3 * per_sender)
        << "client on node " << i << ": " << clients[i]->failure();
    EXPECT_EQ(seen.problem, "") << "client on node " << i;
    for (int k = 0; k < 3; ++k)
      EXPECT_EQ(seen.next["user" + std::to_string(k)], per_sender)
          << "node " << i << " missed broadcasts of user" << k;
  }
}

TEST_F(ClusterTest, TheSameNameOnTwoNodesAtOnceIsGrantedExactlyOnce) {
  ASSERT_NO_FATAL_FAILURE(start_three());
  constexpr int rounds = 60;
  int granted_once = 0;
  for (int r = 0; r < rounds; ++r) {
    auto name = "race" + std::to_string(r);
    // Two nodes each round, rotating, so the owner is sometimes one of them, sometimes neither.
    raw_client a{nodes[r % 3].port()}, b{nodes[(r + 1) % 3].port()};
    ASSERT_TRUE(a.send_frame(type::login, name) && b.send_frame(type::login, name));
    auto ra = a.read_frame(), rb = b.read_frame();
    ASSERT_TRUE(ra && rb) << "round " << r << ": a LOGIN went unanswered";
    int ok = (ra->payload == "Login OK") + (rb->payload == "Login OK");
    EXPECT_EQ(ok, 1) << "round " << r << ": " << *ra << " / " << *rb;
    granted_once += ok == 1;
  }
  std::cout << "[ cluster  ] " << granted_once << " of " << rounds
            << " simultaneous double logins granted exactly once" << std::endl;
}

TEST_F(ClusterTest, AKilledNodesNamesAreFreedAndItRejoinsWhenRestarted) {
  ASSERT_NO_FATAL_FAILURE(start_three());
  raw_client ann{nodes[0].port()}, bob{nodes[1].port()};
  ASSERT_TRUE(log_in(ann, "ann"));
  ASSERT_TRUE(log_in(bob, "bob"));
  {
    raw_client zed{nodes[2].port()};
    ASSERT_TRUE(log_in(zed, "zed"));
    raw_client twin{nodes[0].port()};
    ASSERT_TRUE(twin.send_frame(type::login, "zed"));
    EXPECT_TRUE(next_frame_is(twin, {type::login, "Login failed: name taken"}));

    nodes[2].server->child().send_signal(SIGKILL);
    auto killed = clock_type::now();
    // Within the bound, "zed" is free on the survivors.
    bool freed = false;
    long freed_ms = -1;
    while (!freed && clock_type::now() - killed < 10s) {
      raw_client again{nodes[0].port()};
      if (!again.send_frame(type::login, "zed")) break;
      auto reply = again.read_frame();
      freed = reply && reply->payload == "Login OK";
      if (freed)
        freed_ms = ms(clock_type::now() - killed);
      else
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_TRUE(freed) << "zed was not freed within 10 s of the kill";
    std::cout << "[ cluster  ] name freed " << freed_ms << " ms after SIGKILL" << std::endl;
  }
  // The survivors kept chatting all along.
  ASSERT_TRUE(ann.send_frame(type::broadcast_msg, "still here"));
  EXPECT_TRUE(next_frame_is(bob, {type::broadcast_msg, "ann: still here"}));
  EXPECT_TRUE(next_frame_is(ann, {type::broadcast_msg, "ann: still here"}));

  // Restarted on the same cluster port, the node rejoins without a restart of the others.
  auto joined = nodes[0].log_count("node joined address=" + address(nodes[2].cluster_port));
  nodes[2].start(nodes[1].cluster_port);
  ASSERT_TRUE(nodes[2].server->started()) << nodes[2].server->describe();
  ASSERT_TRUE(nodes[0].wait_for_count("node joined address=" + address(nodes[2].cluster_port),
                                      joined + 1, join_timeout))
      << logs();
  ASSERT_TRUE(nodes[2].server->wait_for_log("nodes=3", join_timeout)) << logs();
  raw_client cy{nodes[2].port()};
  ASSERT_TRUE(log_in(cy, "cy"));
  ASSERT_TRUE(cy.send_frame(type::broadcast_msg, "back"));
  EXPECT_TRUE(next_frame_is(ann, {type::broadcast_msg, "cy: back"}));
  EXPECT_TRUE(next_frame_is(bob, {type::broadcast_msg, "cy: back"}));
}

// A node that stops answering (SIGSTOP: no FIN, no RST, just silence) is a partition as its
// peers see it: the middleman's heartbeat times out, the node is dropped and its names freed.
// When it answers again, it rejoins; the name taken twice meanwhile stays with the earlier login.
TEST_F(ClusterTest, AfterAPartitionHealsTheEarlierLoginKeepsTheName) {
  nodes.resize(2);
  nodes[0].start();
  ASSERT_TRUE(nodes[0].server->started());
  nodes[1].start(nodes[0].cluster_port);
  ASSERT_TRUE(nodes[1].server->started());
  for (auto& n : nodes)
    ASSERT_TRUE(n.server->wait_for_log("nodes=2", join_timeout)) << logs();
  raw_client first{nodes[1].port()};
  ASSERT_TRUE(log_in(first, "ann"));

  auto b = address(nodes[1].cluster_port);
  nodes[1].server->child().send_signal(SIGSTOP);
  auto stopped = clock_type::now();
  ASSERT_TRUE(nodes[0].wait_for_count("node lost address=" + b, 1, 15s)) << logs();
  std::cout << "[ cluster  ] silent node dropped after " << ms(clock_type::now() - stopped) << " ms"
            << std::endl;
  raw_client second{nodes[0].port()}, witness{nodes[0].port()};
  ASSERT_TRUE(log_in(second, "ann")) << "a lost node's names are free on the other side";
  ASSERT_TRUE(log_in(witness, "wit"));

  nodes[1].server->child().send_signal(SIGCONT);
  ASSERT_TRUE(nodes[0].wait_for_count("node joined address=" + b, 2, join_timeout)) << logs();
  // The later login (on A, during the partition) is logged out; the earlier one keeps chatting.
  EXPECT_TRUE(next_frame_is(second, {type::error, "name taken"}, 10s)) << logs();
  ASSERT_TRUE(first.send_frame(type::broadcast_msg, "still ann"));
  EXPECT_TRUE(next_frame_is(witness, {type::broadcast_msg, "ann: still ann"}, 10s));
  // Logged out, not cut off: the loser may take another name.
  ASSERT_TRUE(second.send_frame(type::login, "ann2"));
  EXPECT_TRUE(next_frame_is(second, {type::login, "Login OK"}));
}

TEST_F(ClusterTest, StatusListsEveryNodeWithItsMembers) {
  ASSERT_NO_FATAL_FAILURE(start_three());
  raw_client ann{nodes[1].port()};
  ASSERT_TRUE(log_in(ann, "ann"));
  chat::test::child_process status{::chat::test::chat_server_bin(),
                                   {"--cluster-status=" + address(nodes[0].cluster_port)}};
  auto result = status.wait(io_timeout);
  EXPECT_TRUE(result.exited_with(0)) << status.describe();
  auto out = status.stdout_text();
  EXPECT_NE(out.find(address(nodes[0].cluster_port) + " (this node) 0"), std::string::npos) << out;
  EXPECT_NE(out.find(address(nodes[1].cluster_port) + " 1"), std::string::npos) << out;
  EXPECT_NE(out.find(address(nodes[2].cluster_port) + " 0"), std::string::npos) << out;
}

} // namespace

namespace cluster_port_race {

// What ClusterTest's nodes do when the port free_port() gave them is taken before the node binds
// it (ctest runs tests side by side): the node starts again on another port, not a failed test.
TEST(ClusterNodeTest, ANodeWhosePortWasTakenStartsOnAnother) {
  int held = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(held, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(held, 1), 0);
  socklen_t len = sizeof addr;
  ::getsockname(held, reinterpret_cast<sockaddr*>(&addr), &len);
  chat::test::node n;
  n.cluster_port = ntohs(addr.sin_port);
  n.start();
  EXPECT_TRUE(n.server->started()) << n.server->describe();
  EXPECT_NE(n.cluster_port, ntohs(addr.sin_port));
  ::close(held);
}

} // namespace cluster_port_race
