// cluster_support.hpp -- chat-server processes on 127.0.0.1 forming a cluster, for the cluster
// tests (cluster_test.cpp: names and broadcasts; cluster_channels_test.cpp: channels, direct
// messages, WHO and LIST across nodes). Each test gets cluster ports of its own.
#pragma once

#include "tests/process/reliability_support.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace chat::test {

using namespace chat::reliability;

inline constexpr milliseconds join_timeout = 15s;

// A port nobody listens on right now, for a node's cluster port (the middleman cannot report
// the port it picked for port 0 before the node must know its own address).
inline uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

inline std::string address(uint16_t cluster_port) {
  return "127.0.0.1:" + std::to_string(cluster_port);
}

// One chat-server of the cluster; `seed` is the cluster port of the node to join through.
struct node {
  uint16_t cluster_port = free_port();
  std::unique_ptr<server_process> server;

  // free_port() cannot hold the port until the node binds it: another process (a test beside
  // this one, an outgoing connection's ephemeral port) may take it first. Then the node cannot
  // publish itself and exits, and it is started again on another port, a few times at most.
  void start(std::optional<uint16_t> seed = std::nullopt, std::vector<std::string> extra = {}) {
    for (int attempt = 1;; ++attempt) {
      std::vector<std::string> args{"--cluster-port=" + std::to_string(cluster_port),
                                    "--max-broadcast-rate=0", "--log-level=debug"};
      if (seed) args.push_back("--peer=" + address(*seed));
      args.insert(args.end(), extra.begin(), extra.end());
      server = std::make_unique<server_process>(std::move(args));
      if (server->started() || attempt == 5 ||
          server->stderr_text().find("cannot publish the cluster node") == std::string::npos)
        return;
      cluster_port = free_port();
    }
  }
  uint16_t port() const { return server->port(); }

  // How often `text` appears in the log: membership lines repeat as nodes come and go.
  std::size_t log_count(const std::string& text) const {
    auto log = server->stderr_text();
    std::size_t n = 0;
    for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1))
      ++n;
    return n;
  }
  bool wait_for_count(const std::string& text, std::size_t n, milliseconds timeout) const {
    auto deadline = clock_type::now() + timeout;
    while (log_count(text) < n) {
      if (clock_type::now() >= deadline) return false;
      std::this_thread::sleep_for(20ms);
    }
    return true;
  }
};

class ClusterTest : public ::testing::Test {
protected:
  // Three nodes; B and C know only A.
  void start_three() {
    nodes.resize(3);
    nodes[0].start(std::nullopt, node_args(0));
    ASSERT_TRUE(nodes[0].server->started()) << nodes[0].server->describe();
    for (int i = 1; i < 3; ++i) {
      nodes[i].start(nodes[0].cluster_port, node_args(i));
      ASSERT_TRUE(nodes[i].server->started()) << nodes[i].server->describe();
    }
    for (auto& n : nodes)
      ASSERT_TRUE(n.server->wait_for_log("nodes=3", join_timeout)) << logs();
  }

  // Every node's log, for a failure message.
  std::string logs() const {
    std::string out;
    for (std::size_t i = 0; i < nodes.size(); ++i)
      if (nodes[i].server)
        out += "--- node " + std::to_string(i) + " (" + address(nodes[i].cluster_port) + "):\n" +
               nodes[i].server->stderr_text();
    return out;
  }

  std::vector<node> nodes;
  // Extra chat-server arguments for node i of start_three (cluster_tls_test.cpp: certificates).
  std::function<std::vector<std::string>(std::size_t)> node_args = [](std::size_t) {
    return std::vector<std::string>{};
  };
};

} // namespace chat::test
