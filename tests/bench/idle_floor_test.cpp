// idle_floor_test.cpp -- chat-bench --connect-only against idle-floor, the server that measures
// the least an idle connection costs in chat-server's design (BENCHMARKS.md): every client
// logs in and is held, and the report has the server's memory per client, so that the floor can
// be measured again whenever CAF, Asio or the backend changes.
#include "tests/bench/bench_json.hpp"
#include "tests/bench/bench_server.hpp"
#include "tests/support/child_process.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace idle_floor_test {

using namespace std::chrono_literals;
using chat::test::bench_report;
using chat::test::child_process;
using chat::test::last_line;
using chat::test::listening_port;

// 200 clients connect, log in and are held for a second; the report must say so.
void expect_clients_held(std::vector<std::string> floor_args) {
  floor_args.insert(floor_args.end(), {"--port", "0"});
  child_process floor{IDLE_FLOOR_BIN, floor_args};
  auto port = listening_port(floor);
  ASSERT_TRUE(port) << floor.describe();

  child_process bench{CHAT_BENCH_BIN,
                      {"--port", std::to_string(*port), "--clients", "200", "--connect-only",
                       "--duration", "1s", "--server-pid", std::to_string(floor.pid())}};
  auto status = bench.wait(60s);
  ASSERT_TRUE(status.exited_with(0)) << status << '\n' << bench.describe();
  bench_report report{last_line(bench.stdout_text())};
  EXPECT_EQ(report.number("/connected"), 200) << report;
  EXPECT_EQ(report.number("/logged_in"), 200) << report;
  EXPECT_EQ(report.number("/closed_by_server"), 0) << report;
  EXPECT_EQ(report.number("/open_at_end"), 200) << report;
  EXPECT_GT(report.number("/server_rss_bytes_per_client"), 0) << report;
  EXPECT_EQ(floor.stderr_text(), "") << floor.describe();
}

TEST(IdleFloorTest, ChatBenchHoldsClientsEachWithASessionActor) {
  expect_clients_held({});
}

TEST(IdleFloorTest, ChatBenchHoldsClientsWithoutSessions) {
  expect_clients_held({"--no-session"});
}

} // namespace idle_floor_test
