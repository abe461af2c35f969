// trivial_relay_test.cpp -- chat-bench against trivial-relay, the server that measures
// chat-bench's own ceiling (BENCHMARKS.md): a 1 s run must deliver everything, so that the
// ceiling can be measured again whenever chat-bench or the relay changes.
#include "tests/bench/bench_json.hpp"
#include "tests/bench/bench_server.hpp"
#include "tests/support/child_process.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

namespace {

using namespace std::chrono_literals;
using chat::test::bench_report;
using chat::test::child_process;
using chat::test::last_line;
using chat::test::listening_port;

TEST(TrivialRelayTest, ChatBenchDeliversEveryBroadcastThroughTheRelay) {
  child_process relay{TRIVIAL_RELAY_BIN, {"--port", "0"}};
  auto port = listening_port(relay);
  ASSERT_TRUE(port) << relay.describe();

  child_process bench{CHAT_BENCH_BIN,
                      {"--port", std::to_string(*port), "--clients", "20", "--senders", "1",
                       "--duration", "1s", "--warmup", "300ms", "--server-pid",
                       std::to_string(relay.pid())}};
  auto status = bench.wait(60s);
  ASSERT_TRUE(status.exited_with(0)) << status << '\n' << bench.describe();
  bench_report report{last_line(bench.stdout_text())};
  auto sent = report.number("/sent");
  EXPECT_EQ(report.number("/logged_in"), 20) << report;
  EXPECT_GT(sent, 0) << report;
  EXPECT_GT(report.number("/delivered"), 0) << report;
  EXPECT_EQ(report.number("/delivered"), sent * 20) << report; // every client, the sender too
  EXPECT_EQ(report.number("/lost"), 0) << report;
  EXPECT_EQ(report.number("/duplicates"), 0) << report;
  EXPECT_EQ(report.number("/reordered"), 0) << report;
  EXPECT_EQ(report.number("/closed_by_server"), 0) << report;
  EXPECT_GT(report.number("/bench_cpu_s"), 0) << report;
  EXPECT_EQ(relay.stderr_text(), "") << relay.describe(); // no client dropped
}

} // namespace
