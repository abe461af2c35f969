// server_spread_test.cpp -- chat-bench's --server addresses, the round-robin of clients over
// servers, and the same-node / cross-node classification of a delivery.
#include "apps/chat-bench/server_spread.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace chat::bench;

TEST(ServerSpreadTest, ReadsLoopbackHostAndPort) {
  auto a = server_address("127.0.0.1:7000");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->address().to_string(), "127.0.0.1");
  EXPECT_EQ(a->port(), 7000);
  auto b = server_address("localhost:65535");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->address().to_string(), "127.0.0.1");
  EXPECT_EQ(b->port(), 65535);
  EXPECT_EQ(server_address("127.1.2.3:1")->address().to_string(), "127.1.2.3");
}

TEST(ServerSpreadTest, RefusesAnythingElse) {
  for (std::string bad : {"", "127.0.0.1", "127.0.0.1:", ":7000", "127.0.0.1:0", "127.0.0.1:65536",
                          "127.0.0.1:70000x", "127.0.0.1:-1", "127.0.0.1: 7", "192.0.2.1:7000",
                          "example.com:7000", "[::1]:7000"})
    EXPECT_FALSE(server_address(bad)) << bad;
}

TEST(ServerSpreadTest, ClientsGoRoundRobinSoEveryServerGetsSenders) {
  EXPECT_EQ(server_of(0, 1), 0u);
  EXPECT_EQ(server_of(7, 1), 0u);
  std::size_t per_server[3] = {};
  for (std::size_t client = 0; client < 3; ++client) // the first 3 clients: 3 senders
    ++per_server[server_of(client, 3)];
  EXPECT_EQ(per_server[0], 1u);
  EXPECT_EQ(per_server[1], 1u);
  EXPECT_EQ(per_server[2], 1u);
  EXPECT_EQ(server_of(4, 3), 1u);
}

TEST(ServerSpreadTest, ADeliveryIsSameNodeExactlyWhenBothUseOneServer) {
  EXPECT_EQ(classify(0, 5, 1), delivery_class::same_node); // one server: always
  EXPECT_EQ(classify(0, 2, 2), delivery_class::same_node);
  EXPECT_EQ(classify(0, 3, 2), delivery_class::cross_node);
  EXPECT_EQ(classify(1, 1, 2), delivery_class::same_node); // a sender's own broadcast
  EXPECT_EQ(classify(2, 4, 3), delivery_class::cross_node);
}

} // namespace
