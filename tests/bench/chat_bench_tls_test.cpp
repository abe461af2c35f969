// chat_bench_tls_test.cpp -- chat-bench --tls as a process against a real chat-server process
// with --tls-cert/--tls-key: small loads deliver everything and the report counts the
// handshakes; TLS to a plain server, plain text to a TLS server and a CA the server's
// certificate does not lead to each fail clearly and fast; plain runs report "tls": false.
#include "tests/bench/bench_json.hpp"
#include "tests/bench/bench_server.hpp"
#include "tests/support/binaries.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/dev_certificates.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;
using chat::test::bench_report;
using chat::test::bench_timeout;
using chat::test::ChatBenchTest;
using chat::test::child_process;
using chat::test::dev_certificates;
using chat::test::exit_timeout;
using chat::test::expect_refused;
using chat::test::last_line;
using chat::test::listening_port;
using chat::test::server_args;

// A failed connect phase ends as soon as every client has failed, long before the 10 s grace.
constexpr auto fails_within = 5s;

class ChatBenchTlsTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(certs_.made) << "scripts/dev-cluster-ca.sh failed";
    auto args = server_args();
    args.insert(args.end(), {"--data-dir=:memory:", "--tls-cert=" + certs_.file("server.pem"),
                             "--tls-key=" + certs_.file("server.key")});
    server_.emplace(chat::test::chat_server_bin(), args);
    auto port = listening_port(*server_);
    ASSERT_TRUE(port) << server_->describe();
    port_ = *port;
  }

  // chat-bench against the TLS server; its exit status must be `expected_exit`.
  bench_report run(std::vector<std::string> args, int expected_exit = 0) {
    args.push_back("--port=" + std::to_string(port_));
    child_process bench{CHAT_BENCH_BIN, args};
    auto status = bench.wait(bench_timeout);
    EXPECT_TRUE(status.exited_with(expected_exit)) << status << '\n' << bench.describe();
    stderr_ = bench.stderr_text();
    return bench_report{last_line(bench.stdout_text())};
  }

  dev_certificates certs_;
  std::optional<child_process> server_;
  int port_ = 0;
  std::string stderr_;
};

TEST_F(ChatBenchTlsTest, FanOutOverTlsDeliversEverythingOnceAndCountsTheHandshakes) {
  for (auto mode : {std::vector<std::string>{}, std::vector<std::string>{"--channels=2"}}) {
    auto args = mode;
    args.insert(args.end(), {"--tls", "--tls-ca=" + certs_.file("ca.pem"), "--clients=10",
                             "--senders=2", "--duration=1s", "--warmup=300ms",
                             "--server-pid=" + std::to_string(server_->pid())});
    auto report = run(args);
    auto sent = report.number("/sent");
    auto per_message = mode.empty() ? 10 : 5; // the room, or one of two channels
    EXPECT_TRUE(report.flag("/tls")) << report;
    EXPECT_EQ(report.number("/connected"), 10) << report;
    EXPECT_EQ(report.number("/logged_in"), 10) << report;
    EXPECT_GT(sent, 0) << report;
    EXPECT_EQ(report.number("/delivered"), sent * per_message) << report;
    EXPECT_EQ(report.number("/lost"), 0) << report;
    EXPECT_EQ(report.number("/duplicates"), 0) << report;
    EXPECT_EQ(report.number("/reordered"), 0) << report;
    EXPECT_EQ(report.number("/closed_by_server"), 0) << report;
    EXPECT_GT(report.number("/latency_us/p50"), 0) << report;
    EXPECT_GT(report.number("/server_cpu_ns_per_delivery"), 0) << report;
    // The connect phase: every client handshook, at a positive rate, before it was ready.
    EXPECT_EQ(report.number("/connect_phase/handshakes"), 10) << report;
    EXPECT_EQ(report.number("/connect_phase/handshake_failed"), 0) << report;
    EXPECT_EQ(report.number("/connect_phase/ready"), 10) << report;
    EXPECT_GT(report.number("/connect_phase/handshake_s"), 0) << report;
    EXPECT_GT(report.number("/connect_phase/handshakes_per_s"), 0) << report;
    EXPECT_LE(report.number("/connect_phase/handshake_s"),
              report.number("/connect_phase/settled_s"))
        << report;
    EXPECT_GE(report.number("/connect_phase/server_cpu_s"), 0) << report; // ticks of 10 ms
    EXPECT_GT(report.number("/connect_phase/bench_cpu_us_per_client"), 0) << report;
    EXPECT_EQ(report.text("/connect_phase/tls_version").rfind("TLSv1.", 0), 0u) << report;
    EXPECT_NE(stderr_.find("10 of 10 TLS handshakes"), std::string::npos) << stderr_;
  }
}

TEST_F(ChatBenchTlsTest, ACaTheCertificateDoesNotLeadToFailsEveryHandshakeWithTheReason) {
  auto started = std::chrono::steady_clock::now();
  auto report =
      run({"--tls", "--tls-ca=" + certs_.file("other/ca.pem"), "--clients=5", "--duration=1s"}, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - started, fails_within);
  EXPECT_TRUE(report.flag("/tls")) << report;
  EXPECT_EQ(report.number("/connected"), 5) << report; // TCP connected; TLS refused
  EXPECT_EQ(report.number("/connect_phase/handshake_failed"), 5) << report;
  EXPECT_EQ(report.number("/connect_phase/handshakes"), 0) << report;
  EXPECT_EQ(report.number("/logged_in"), 0) << report;
  EXPECT_NE(stderr_.find("TLS handshake failed (first of its kind): certificate verify failed"),
            std::string::npos)
      << stderr_;
}

TEST_F(ChatBenchTlsTest, PlainTextToTheTlsServerIsRefusedWithTheServersWords) {
  auto started = std::chrono::steady_clock::now();
  auto report = run({"--clients=3", "--duration=1s"}, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - started, fails_within);
  EXPECT_FALSE(report.flag("/tls")) << report;
  EXPECT_EQ(report.number("/logged_in"), 0) << report;
  EXPECT_NE(stderr_.find("this port speaks TLS"), std::string::npos) << stderr_;
}

TEST_F(ChatBenchTest, TlsToAPlainServerFailsFastWithTheReason) {
  auto started = std::chrono::steady_clock::now();
  auto bench = start_bench({"--tls", "--clients=5", "--duration=1s"});
  auto report = finish_bench(*bench, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - started, fails_within);
  EXPECT_TRUE(report.flag("/tls")) << report;
  EXPECT_EQ(report.number("/connect_phase/handshake_failed"), 5) << report;
  EXPECT_EQ(report.number("/connect_phase/handshakes"), 0) << report;
  EXPECT_EQ(report.number("/logged_in"), 0) << report;
  EXPECT_NE(bench->stderr_text().find("TLS handshake failed (first of its kind): "),
            std::string::npos)
      << bench->describe();
  EXPECT_NE(bench->stderr_text().find("no client could connect and log in"), std::string::npos)
      << bench->describe();
}

TEST_F(ChatBenchTest, APlainRunReportsNoTlsAndItsConnectPhase) {
  auto bench = start_bench({"--clients=20", "--connect-only", "--duration=200ms",
                            "--server-pid=" + std::to_string(server_->pid())});
  auto report = finish_bench(*bench);
  EXPECT_FALSE(report.flag("/tls")) << report;
  EXPECT_EQ(report.number("/connect_phase/clients"), 20) << report;
  EXPECT_EQ(report.number("/connect_phase/ready"), 20) << report;
  EXPECT_GT(report.number("/connect_phase/settled_s"), 0) << report;
  EXPECT_GT(report.number("/connect_phase/ready_per_s"), 0) << report;
  EXPECT_EQ(report.number("/connect_phase/handshakes"), 0) << report;
  EXPECT_GE(report.number("/connect_phase/server_cpu_s"), 0) << report;
  for (auto key : {"/connect_phase/handshake_s", "/connect_phase/handshakes_per_s",
                   "/connect_phase/tls_version"}) {
    auto value = report.find(key);
    EXPECT_TRUE(value && value->is_null()) << key << ' ' << report;
  }
  EXPECT_EQ(bench->stderr_text().find("TLS handshakes"), std::string::npos) << bench->describe();
}

TEST(ChatBenchTlsOptionsTest, RefusesTlsOptionsThatDoNotGoTogether) {
  for (auto [args, words] :
       {std::pair<std::vector<std::string>, std::string>{{"--tls-ca=/etc/hostname"},
                                                         "--tls-ca needs --tls"},
        {{"--tls", "--transport=ws"}, "--tls is for --transport=tcp"},
        {{"--tls", "--tls-ca=/nonexistent/ca.pem"}, "cannot read the CA certificates in"}})
    expect_refused(args, words);
}

} // namespace
