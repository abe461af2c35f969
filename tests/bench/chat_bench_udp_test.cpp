// chat_bench_udp_test.cpp -- chat-bench --transport=udp as a process against a real chat-server
// with --udp-port=0: a small fan-out (version 1) and a --channels run (version 2) complete, with
// deliveries, the "udp" report and little loss at a low rate on loopback; a port where nothing
// takes UDP fails fast; the options --transport=udp refuses.
#include "apps/chat-bench/udp_wire.hpp"
#include "tests/bench/bench_json.hpp"
#include "tests/bench/bench_server.hpp"
#include "tests/support/binaries.hpp"
#include "tests/support/child_process.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

using chat::test::bench_report;
using chat::test::bench_timeout;
using chat::test::chat_server_bin;
using chat::test::child_process;
using chat::test::exit_timeout;
using chat::test::expect_refused;
using chat::test::last_line;
using chat::test::server_args;
using chat::test::startup_timeout;

// A chat-server with a UDP endpoint on a port of its choosing, and chat-bench runs over UDP.
class ChatBenchUdpTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto args = server_args();
    args.push_back("--udp-port=0");
    server_.emplace(chat_server_bin(), args);
    // "chat-server udp listening on 127.0.0.1:P", printed after the TCP line.
    auto line = server_->wait_for_line_containing("udp listening on", startup_timeout);
    ASSERT_TRUE(line) << server_->describe();
    auto at = line->find("127.0.0.1:");
    ASSERT_NE(at, std::string::npos) << *line;
    udp_port_ = std::stoi(line->substr(at + 10));
  }

  bench_report run_bench(std::vector<std::string> args, int expected_exit = 0) {
    args.push_back("--transport=udp");
    args.push_back("--port=" + std::to_string(udp_port_));
    args.push_back("--server-pid=" + std::to_string(server_->pid()));
    child_process bench{CHAT_BENCH_BIN, args};
    auto status = bench.wait(bench_timeout);
    EXPECT_TRUE(status.exited_with(expected_exit)) << status << '\n' << bench.describe();
    return bench_report{last_line(bench.stdout_text())};
  }

  std::optional<child_process> server_;
  int udp_port_ = 0;
};

// What every UDP report has, and the loss at a low rate on loopback: small, printed.
void expect_udp_report(const bench_report& report, double clients) {
  EXPECT_EQ(report.text("/transport"), "udp") << report;
  EXPECT_EQ(report.number("/logged_in"), clients) << report;
  EXPECT_EQ(report.number("/udp/sessions"), clients) << report;
  EXPECT_GT(report.number("/udp/rcvbuf_bytes_min"), 0) << report;
  EXPECT_EQ(report.number("/udp/max_datagram"), 1200) << report;
  EXPECT_GT(report.number("/udp/datagrams_out"), 0) << report;
  EXPECT_GT(report.number("/udp/data_in"), 0) << report;
  EXPECT_EQ(report.number("/udp/wrong_cookie"), 0) << report;
  EXPECT_EQ(report.number("/udp/malformed"), 0) << report;
  EXPECT_EQ(report.number("/udp/part_frames"), 0) << report; // 64-byte payloads fit a datagram
  EXPECT_TRUE(report.find("/udp/kernel_udp")) << report;
  auto expected = report.number("/expected");
  auto delivered = report.number("/delivered");
  auto lost = report.number("/lost");
  EXPECT_GT(delivered, 0) << report;
  EXPECT_EQ(lost, expected - delivered) << report;
  EXPECT_EQ(report.number("/udp/lost"), lost) << report;
  EXPECT_LE(report.number("/udp/loss_pct"), 1.0) << report; // loopback, low rate
  EXPECT_LE(lost, expected * 0.01) << report;
  EXPECT_EQ(report.number("/duplicates"), 0) << report; // loopback does not duplicate
  EXPECT_GT(report.number("/latency_us/p50"), 0) << report;
  EXPECT_GT(report.number("/server_cpu_ns_per_delivery"), 0) << report;
  std::cout << "UDP run: expected " << expected << ", delivered " << delivered << ", lost " << lost
            << " (" << report.number("/udp/loss_pct") << " %), socket drops "
            << report.number("/udp/socket_drops") << ", rcvbuf "
            << static_cast<long long>(report.number("/udp/rcvbuf_bytes_min")) << " bytes\n";
}

TEST_F(ChatBenchUdpTest, FanOutOverUdpCountsDeliveriesAndLoss) {
  auto report =
      run_bench({"--clients=20", "--senders=2", "--rate=50", "--duration=1s", "--warmup=300ms"});
  expect_udp_report(report, 20);
  EXPECT_GT(report.number("/sent"), 0) << report;
}

TEST_F(ChatBenchUdpTest, ChannelsOverUdp) {
  auto report = run_bench({"--clients=12", "--channels=2", "--senders=2", "--rate=50",
                           "--duration=1s", "--warmup=300ms"});
  expect_udp_report(report, 12);
  EXPECT_EQ(report.number("/joined"), 12) << report;
  EXPECT_EQ(report.number("/wrong_channel"), 0) << report;
}

// Unrated senders fill their windows: the run completes however many datagrams are lost.
TEST_F(ChatBenchUdpTest, FullSpeedOverUdpCompletes) {
  auto report = run_bench({"--clients=20", "--senders=2", "--duration=1s", "--warmup=300ms"});
  EXPECT_EQ(report.number("/logged_in"), 20) << report;
  EXPECT_GT(report.number("/delivered"), 0) << report;
  EXPECT_TRUE(report.find("/udp/loss_pct")) << report;
  std::cout << "UDP at full speed: loss " << report.number("/udp/loss_pct") << " %\n";
}

// Frames encoded as messages/frame.hpp: body_len (4 bytes, little-endian), then the body.
std::string frames_of(std::vector<std::size_t> bodies) {
  std::string out;
  for (auto body : bodies) {
    for (int i = 0; i < 4; ++i)
      out.push_back(static_cast<char>((body >> (8 * i)) & 0xFF));
    out.append(body, 'x');
  }
  return out;
}

TEST(UdpWireTest, NextDatagramTakesWholeFramesThatFit) {
  using chat::bench::udp_wire::next_datagram;
  auto three = frames_of({10, 20, 30}); // 14, 24 and 34 bytes
  EXPECT_EQ(next_datagram(three, 1000), 72u);
  EXPECT_EQ(next_datagram(three, 72), 72u);
  EXPECT_EQ(next_datagram(three, 71), 38u); // the third frame waits for the next datagram
  EXPECT_EQ(next_datagram(three, 14), 14u);
  EXPECT_EQ(next_datagram(three, 13), 0u);                  // the first frame alone does not fit
  EXPECT_EQ(next_datagram(three.substr(0, 20), 1000), 14u); // a cut frame is not taken
  EXPECT_EQ(next_datagram(frames_of({0}), 1000), 0u);       // body_len 0 is no frame
  EXPECT_EQ(next_datagram("", 1000), 0u);
}

// A UDP port nobody holds: the HELLOs are refused (ICMP), and no client logs in.
TEST(ChatBenchUdpOptionsTest, NothingTakesUdpThere) {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd); // the port is free again, and nothing listens on it
  child_process bench{CHAT_BENCH_BIN,
                      {"--transport=udp", "--port=" + std::to_string(ntohs(addr.sin_port)),
                       "--clients=3", "--duration=200ms", "--warmup=0s"}};
  auto status = bench.wait(bench_timeout);
  EXPECT_TRUE(status.exited_with(1)) << status << '\n' << bench.describe();
  EXPECT_NE(bench.stderr_text().find("refused"), std::string::npos) << bench.describe();
}

TEST(ChatBenchUdpOptionsTest, RefusesOptionsThatDoNotGoWithUdp) {
  for (std::vector<std::string> args : {
           std::vector<std::string>{"--transport=udp", "--tls"},
           {"--transport=udp", "--framing=asio-example"},
           {"--transport=udp", "--udp-max-datagram=100"},
           {"--transport=udp", "--payload=1100"},
           {"--transport=udp", "--connect-only"},
           {"--udp-max-datagram=1400"},
       }) {
    expect_refused(args);
  }
}

} // namespace
