// chat_bench_test.cpp -- chat-bench as a process against a real chat-server process: the one
// JSON line it prints after small runs (fan-out, connect-only, SIGINT) and its refusals.
#include "tests/bench/bench_json.hpp"
#include "tests/bench/bench_server.hpp"
#include "tests/support/binaries.hpp"
#include "tests/support/child_process.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using chat::test::bench_report;
using chat::test::bench_timeout;
using chat::test::ChatBenchTest;
using chat::test::child_process;
using chat::test::exit_timeout;
using chat::test::expect_refused;
using chat::test::last_line;
using chat::test::listening_port;
using chat::test::server_args;
using chat::test::startup_timeout;

// A bound socket that does not listen: connecting to its port is refused.
struct refusing_port {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int port = 0;

  refusing_port() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      port = ntohs(addr.sin_port);
  }
  ~refusing_port() { ::close(fd); }
};

TEST_F(ChatBenchTest, SmallFanOutDeliversEveryBroadcastToEveryClientOnce) {
  auto bench = start_bench({"--clients=20", "--senders=2", "--duration=1s", "--warmup=500ms",
                            "--server-pid=" + std::to_string(server_->pid())});
  auto report = finish_bench(*bench);
  auto sent = report.number("/sent");
  EXPECT_EQ(report.number("/connected"), 20) << report;
  EXPECT_EQ(report.number("/logged_in"), 20) << report;
  EXPECT_GT(sent, 0) << report;
  EXPECT_EQ(report.number("/delivered"), sent * 20) << report;
  EXPECT_EQ(report.number("/expected"), sent * 20) << report;
  EXPECT_EQ(report.number("/lost"), 0) << report;
  EXPECT_EQ(report.number("/duplicates"), 0) << report;
  EXPECT_EQ(report.number("/reordered"), 0) << report;
  EXPECT_EQ(report.number("/closed_by_server"), 0) << report;
  EXPECT_GT(report.number("/latency_us/p50"), 0) << report;
  EXPECT_GT(report.number("/server_cpu_ns_per_delivery"), 0) << report;
  EXPECT_NE(bench->stderr_text().find("measuring"), std::string::npos) << bench->describe();
  // Version 1 (no --channels, no --direct): none of version 2's keys or text.
  for (auto key : {"mode", "channels", "joined", "per_channel", "direct"})
    EXPECT_FALSE(report.has(key)) << key << ' ' << report;
  EXPECT_EQ(bench->stderr_text().find("channels:"), std::string::npos) << bench->describe();
  // One server: every delivery is same-node, and the one node has all of them.
  EXPECT_EQ(report.number("/same_node/delivered"), sent * 20) << report;
  EXPECT_EQ(report.number("/cross_node/delivered"), 0) << report;
  EXPECT_EQ(report.number("/cross_node/expected"), 0) << report;
  ASSERT_EQ(report.size("/nodes"), 1u) << report;
  EXPECT_EQ(report.number("/nodes/0/delivered"), sent * 20) << report;
  EXPECT_GT(report.number("/nodes/0/server_cpu_ns_per_delivery"), 0) << report;
}

TEST_F(ChatBenchTest, RatedSendersKeepToTheirRate) {
  auto bench =
      start_bench({"--clients=10", "--senders=2", "--rate=20", "--duration=1s", "--warmup=200ms"});
  auto report = finish_bench(*bench);
  auto sent = report.number("/sent");
  EXPECT_GE(sent, 2 * 20 * 0.5) << report; // 2 senders x 20/s x 1 s, with room for a busy host
  EXPECT_LE(sent, 2 * 20 + 2) << report;
  EXPECT_EQ(report.number("/rate"), 20) << report;
  EXPECT_EQ(report.number("/delivered"), sent * 10) << report;
  EXPECT_EQ(report.number("/lost"), 0) << report;
}

TEST_F(ChatBenchTest, ConnectOnlyHoldsEveryClientLoggedIn) {
  auto bench = start_bench({"--clients=30", "--connect-only", "--duration=1s"});
  auto report = finish_bench(*bench);
  EXPECT_EQ(report.number("/connected"), 30) << report;
  EXPECT_EQ(report.number("/logged_in"), 30) << report;
  EXPECT_EQ(report.number("/open_at_end"), 30) << report;
  EXPECT_EQ(report.number("/senders"), 0) << report;
  EXPECT_EQ(report.number("/sent"), 0) << report;
  EXPECT_EQ(report.number("/closed_by_server"), 0) << report;
  // No --server-pid: the server figures are null, not zero.
  for (auto key : {"/server_cpu_s", "/server_cpu_ns_per_delivery", "/server_rss_kib_start",
                   "/server_rss_bytes_per_client", "/nodes/0/server_pid"}) {
    auto value = report.find(key);
    EXPECT_TRUE(value && value->is_null()) << key << ' ' << report;
  }
}

// scripts/bench-19k.sh's pattern at small scale: one process holds clients, another sends
// exactly one broadcast, and the holder reports when each of its clients got it.
TEST_F(ChatBenchTest, HeldClientsWatchOneBroadcastFromAnotherProcess) {
  auto holder = start_bench({"--clients=30", "--connect-only", "--duration=3s", "--name-prefix=h"});
  auto deadline = std::chrono::steady_clock::now() + startup_timeout;
  while (holder->stderr_text().find("holding") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  auto sender = start_bench({"--clients=1", "--senders=1", "--window=1", "--max-broadcasts=1",
                             "--warmup=0s", "--duration=500ms", "--name-prefix=s"});
  auto sent = finish_bench(*sender);
  EXPECT_EQ(sent.number("/watched"), 0) << sent;
  auto held = finish_bench(*holder);
  EXPECT_EQ(held.number("/watched"), 30) << held; // one broadcast, each held client once
  EXPECT_EQ(held.number("/foreign"), 0) << held;
  EXPECT_GT(held.number("/latency_us/max"), 0) << held;
  EXPECT_EQ(held.number("/open_at_end"), 30) << held;
}

TEST_F(ChatBenchTest, SigintEndsTheRunEarlyAndStillReports) {
  auto bench = start_bench({"--clients=10", "--senders=1", "--duration=60s", "--warmup=0s"});
  auto deadline = std::chrono::steady_clock::now() + startup_timeout;
  while (bench->stderr_text().find("measuring") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  bench->send_signal(SIGINT);
  auto report = finish_bench(*bench);
  EXPECT_TRUE(report.flag("/interrupted")) << report;
  EXPECT_LT(report.number("/duration_s"), 30) << report;
  EXPECT_EQ(report.number("/lost"), 0) << report;
}

// Two separate chat-servers, not a cluster: each relays only to its own clients. chat-bench
// spreads its clients and senders over both, so every delivery it sees is same-node and every
// cross-node one it owes is lost; that is what the report must say, server by server.
class ChatBenchTwoServersTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto args = server_args();
    for (auto& server : servers_) {
      server = std::make_unique<child_process>(::chat::test::chat_server_bin(), args);
      auto port = listening_port(*server);
      ASSERT_TRUE(port) << server->describe();
      addresses_.push_back("127.0.0.1:" + std::to_string(*port));
    }
  }

  std::unique_ptr<child_process> servers_[2];
  std::vector<std::string> addresses_;
};

TEST_F(ChatBenchTwoServersTest, ClientsSpreadRoundRobinAndEveryDeliveryIsSameNode) {
  child_process bench{CHAT_BENCH_BIN,
                      {"--clients", "20", "--senders", "4", "--duration", "1s", "--warmup", "300ms",
                       "--server", addresses_[0], "--server=" + addresses_[1], "--server-pid",
                       std::to_string(servers_[0]->pid()),
                       "--server-pid=" + std::to_string(servers_[1]->pid())}};
  auto status = bench.wait(bench_timeout);
  ASSERT_TRUE(status.exited_with(0)) << status << '\n' << bench.describe();
  bench_report report{last_line(bench.stdout_text())};
  auto sent = report.number("/sent");
  EXPECT_GT(sent, 0) << report;
  EXPECT_EQ(report.number("/logged_in"), 20) << report;
  EXPECT_EQ(report.number("/delivered"), sent * 10) << report; // the sender's server's clients
  EXPECT_EQ(report.number("/expected"), sent * 20) << report;  // everyone: what a cluster owes
  EXPECT_EQ(report.number("/duplicates"), 0) << report;
  EXPECT_EQ(report.number("/reordered"), 0) << report;

  EXPECT_EQ(report.number("/same_node/delivered"), sent * 10) << report;
  EXPECT_EQ(report.number("/same_node/expected"), sent * 10) << report;
  EXPECT_EQ(report.number("/same_node/lost"), 0) << report;
  EXPECT_GT(report.number("/same_node/deliveries_per_s"), 0) << report;
  EXPECT_GT(report.number("/same_node/latency_us/p50"), 0) << report;
  EXPECT_EQ(report.number("/cross_node/delivered"), 0) << report;
  EXPECT_EQ(report.number("/cross_node/deliveries_per_s"), 0) << report;
  EXPECT_EQ(report.number("/cross_node/expected"), sent * 10) << report;
  EXPECT_EQ(report.number("/cross_node/lost"), sent * 10) << report;
  EXPECT_EQ(report.number("/cross_node/latency_us/max"), 0) << report;

  ASSERT_EQ(report.size("/nodes"), 2u) << report;
  double delivered_over_nodes = 0;
  for (std::size_t k = 0; k < 2; ++k) {
    auto node = "/nodes/" + std::to_string(k);
    EXPECT_EQ(report.text(node + "/server"), addresses_[k]) << report;
    EXPECT_EQ(report.number(node + "/clients"), 10) << report; // clients 0, 2, 4, ... and 1, 3, ...
    EXPECT_EQ(report.number(node + "/senders"), 2) << report;
    EXPECT_EQ(report.number(node + "/logged_in"), 10) << report;
    EXPECT_EQ(report.number(node + "/server_pid"), servers_[k]->pid()) << report;
    EXPECT_GT(report.number(node + "/delivered"), 0) << report;
    EXPECT_GT(report.number(node + "/server_cpu_s"), 0) << report;
    EXPECT_GT(report.number(node + "/server_cpu_ns_per_delivery"), 0) << report;
    delivered_over_nodes += report.number(node + "/delivered");
  }
  EXPECT_EQ(delivered_over_nodes, sent * 10) << report;
  EXPECT_GT(report.number("/server_cpu_ns_per_delivery"), 0) << report; // total
  EXPECT_NE(bench.stderr_text().find("cross_node/s 0"), std::string::npos) << bench.describe();
}

TEST(ChatBenchOptionsTest, RefusesAnUnknownTransportAndWebSocketWithTheAsioFraming) {
  for (auto [args, words] :
       {std::pair<std::vector<std::string>, std::string>{{"--transport=quic"},
                                                         "--transport must be tcp, ws or udp"},
        {{"--transport=ws", "--framing=asio-example"}, "--transport=ws needs --framing=chat"}})
    expect_refused(args, words);
}

TEST(ChatBenchOptionsTest, RefusesAHostOutsideLoopback) {
  expect_refused({"--host=192.0.2.1", "--port=7000"}, "127.0.0.0/8");
}

TEST(ChatBenchOptionsTest, RefusesAServerOutsideLoopbackOrWithHostAndPort) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"--server", "127.0.0.1:7000", "--server", "192.0.2.1:7000"},
        {"--server", "127.0.0.1:7000", "--port", "7001"},
        {"--server", "127.0.0.1"},
        {"--server", "127.0.0.1:7000", "--server", "127.0.0.1:7001", "--server-pid", "1"}}) {
    expect_refused(args, "--server");
  }
}

TEST(ChatBenchOptionsTest, CountsRefusedConnectionsAndExitsOne) {
  refusing_port closed;
  ASSERT_NE(closed.port, 0);
  child_process bench{CHAT_BENCH_BIN,
                      {"--port=" + std::to_string(closed.port), "--clients=5", "--duration=1s"}};
  auto status = bench.wait(bench_timeout);
  EXPECT_TRUE(status.exited_with(1)) << status << '\n' << bench.describe();
  bench_report report{last_line(bench.stdout_text())};
  EXPECT_EQ(report.number("/connect_failed"), 5) << report;
  EXPECT_EQ(report.number("/connected"), 0) << report;
  EXPECT_NE(bench.stderr_text().find("refused"), std::string::npos) << bench.describe();
}

} // namespace

namespace {

// --transport=ws against the WebSocket gateway: the same accounting as over TCP, for a room and
// for a channel, and both transports in one chat.
class ChatBenchWebSocketTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto args = server_args();
    args.push_back("--http-port=0");
    args.push_back("--data-dir=:memory:");
    server_.emplace(chat::test::chat_server_bin(), args);
    auto tcp = listening_port(*server_);
    ASSERT_TRUE(tcp) << server_->describe();
    auto line = server_->wait_for_line_containing("http listening on", startup_timeout);
    ASSERT_TRUE(line) << server_->describe();
    http_port_ = std::stoi(line->substr(line->find("127.0.0.1:") + 10));
  }

  bench_report run(std::vector<std::string> args) {
    args.push_back("--transport=ws");
    args.push_back("--port=" + std::to_string(http_port_));
    child_process bench{CHAT_BENCH_BIN, args};
    auto status = bench.wait(bench_timeout);
    EXPECT_TRUE(status.exited_with(0)) << status << '\n' << bench.describe();
    return bench_report{last_line(bench.stdout_text())};
  }

  std::optional<child_process> server_;
  int http_port_ = 0;
};

TEST_F(ChatBenchWebSocketTest, FanOutOverWebSocketDeliversEverythingOnce) {
  for (auto mode : {std::vector<std::string>{}, std::vector<std::string>{"--channels=2"}}) {
    auto args = mode;
    args.insert(args.end(), {"--clients=10", "--senders=2", "--duration=1s", "--warmup=300ms",
                             "--server-pid=" + std::to_string(server_->pid())});
    auto report = run(args);
    auto sent = report.number("/sent");
    auto per_message = mode.empty() ? 10 : 5; // the room, or one of two channels
    EXPECT_EQ(report.number("/logged_in"), 10) << report;
    EXPECT_GT(sent, 0) << report;
    EXPECT_EQ(report.number("/delivered"), sent * per_message) << report;
    EXPECT_EQ(report.number("/lost"), 0) << report;
    EXPECT_EQ(report.number("/duplicates"), 0) << report;
    EXPECT_EQ(report.number("/reordered"), 0) << report;
    EXPECT_GT(report.number("/server_cpu_ns_per_delivery"), 0) << report;
  }
}

} // namespace
