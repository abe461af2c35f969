// lossy_relay_test.cpp -- the relay the UDP tests trust: with no loss it passes every datagram
// in order both ways; with rates set, it drops, duplicates and reorders about as often as told,
// and keeps one upstream socket per client.
#include "tests/support/lossy_relay.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

struct socket_at {
  int fd = -1;
  socket_at() {
    fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int bytes = 8 << 20; // the test reads after its burst: the burst waits here
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  ~socket_at() { ::close(fd); }
  uint16_t port() const {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    return ntohs(a.sin_port);
  }
  void send_to(uint16_t port, const std::string& bytes, const sockaddr_in* to = nullptr) const {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (to != nullptr) a = *to;
    ::sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  // Datagrams until `quiet` passes without one (or `most` came), with where each came from.
  std::vector<std::pair<std::string, sockaddr_in>> receive(std::size_t most,
                                                           std::chrono::milliseconds quiet) {
    std::vector<std::pair<std::string, sockaddr_in>> got;
    char buffer[2048];
    while (got.size() < most) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(quiet.count())) <= 0) break;
      sockaddr_in from{};
      socklen_t len = sizeof from;
      auto n = ::recvfrom(fd, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n >= 0) got.emplace_back(std::string(buffer, static_cast<std::size_t>(n)), from);
    }
    return got;
  }
};

TEST(LossyRelayTest, WithoutLossEverythingPassesInOrderBothWays) {
  socket_at server, client;
  chat::test::lossy_relay relay{server.port(), {}, {}};
  for (int i = 0; i < 200; ++i)
    client.send_to(relay.port(), std::to_string(i));
  auto got = server.receive(200, 1s);
  ASSERT_EQ(got.size(), 200u);
  for (int i = 0; i < 200; ++i)
    EXPECT_EQ(got[static_cast<std::size_t>(i)].first, std::to_string(i));
  // The answer goes back through the relay to the client.
  server.send_to(0, "back", &got.front().second);
  auto back = client.receive(1, 1s);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].first, "back");
  EXPECT_EQ(ntohs(back[0].second.sin_port), relay.port());
}

TEST(LossyRelayTest, RatesAreRoughlyWhatWasAskedAndEachClientHasItsOwnUpstream) {
  socket_at server, ann, bob;
  chat::test::loss_profile lossy;
  lossy.drop = 0.2;
  lossy.duplicate = 0.1;
  lossy.reorder = 0.1;
  chat::test::lossy_relay relay{server.port(), lossy, {}, 7};
  // Paced by what the relay took, so that the test server's own socket never overflows.
  for (int i = 0; i < 1000; ++i) {
    ann.send_to(relay.port(), std::to_string(i));
    if (i % 50 == 49) {
      auto deadline = clock_type::now() + 2s;
      while (relay.toward_server().received < static_cast<uint64_t>(i + 1) &&
             clock_type::now() < deadline)
        std::this_thread::yield();
    }
  }
  bob.send_to(relay.port(), "bob");
  auto got = server.receive(5000, 300ms);
  auto counts = relay.toward_server();
  EXPECT_EQ(counts.received, 1001u);
  EXPECT_NEAR(static_cast<double>(counts.dropped), 200, 60);
  EXPECT_NEAR(static_cast<double>(counts.duplicated), 80, 40);
  EXPECT_EQ(got.size(), counts.forwarded);
  std::set<std::string> distinct;
  std::set<uint16_t> sources;
  int behind = 0, last = -1;
  for (auto& [bytes, from] : got) {
    distinct.insert(bytes);
    sources.insert(ntohs(from.sin_port));
    if (bytes == "bob") continue;
    int n = std::stoi(bytes);
    if (n < last) ++behind;
    last = std::max(last, n);
  }
  EXPECT_EQ(sources.size(), 2u) << "ann and bob reach the server from sockets of their own";
  EXPECT_LT(distinct.size(), got.size()) << "some came twice";
  EXPECT_GT(behind, 10) << "some were overtaken";
}

} // namespace
