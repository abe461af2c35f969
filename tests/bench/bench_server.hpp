// bench_server.hpp -- a real chat-server child process for chat-bench's process tests: on a port
// of its choosing, with no message-rate limit, and chat-bench runs against it (ChatBenchTest).
// Used by chat_bench_test.cpp (version 1), chat_bench_v2_test.cpp (--channels, --direct) and
// chat_bench_large_test.cpp (--large-message).
#pragma once

#include "tests/bench/bench_json.hpp"
#include "tests/support/binaries.hpp"
#include "tests/support/child_process.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace chat::test {

// startup_timeout and exit_timeout (10 s each) come from child_process.hpp.
inline constexpr std::chrono::seconds bench_timeout{60}; // every run takes a few seconds

// The port from "<program> listening on 127.0.0.1:PORT ..." (chat-server, trivial-relay,
// idle-floor), or nothing.
inline std::optional<int> listening_port(child_process& server) {
  auto line = server.wait_for_line_containing("listening on", startup_timeout);
  if (!line) return std::nullopt;
  auto at = line->find("127.0.0.1:");
  if (at == std::string::npos) return std::nullopt;
  return std::stoi(line->substr(at + 10));
}

// Whether chat-server knows `option` (newer servers limit broadcasts per user by default; the
// bench sends at full speed, so the limit must be lifted where it exists).
inline bool server_has_option(const std::string& option) {
  child_process help{chat_server_bin(), {"--help"}};
  help.wait(exit_timeout);
  return help.stdout_text().find(option) != std::string::npos;
}

// chat-bench refuses `args` before it connects anywhere: exit 2, a message on stderr that
// contains `mentions` (empty: any message), nothing on stdout.
inline void expect_refused(const std::vector<std::string>& args, const std::string& mentions = {}) {
  std::string called;
  for (auto& arg : args)
    called += ' ' + arg;
  SCOPED_TRACE("chat-bench" + called);
  child_process bench{CHAT_BENCH_BIN, args};
  auto status = bench.wait(exit_timeout);
  EXPECT_TRUE(status.exited_with(2)) << status << '\n' << bench.describe();
  EXPECT_NE(bench.stderr_text().find(mentions), std::string::npos) << bench.describe();
  EXPECT_EQ(bench.stdout_text(), "") << bench.describe();
}

// chat-bench --help exits 0 and its text names each of `options`.
inline void expect_help_names(std::initializer_list<const char*> options) {
  child_process help{CHAT_BENCH_BIN, {"--help"}};
  auto status = help.wait(exit_timeout);
  EXPECT_TRUE(status.exited_with(0)) << status << '\n' << help.describe();
  for (auto option : options)
    EXPECT_NE(help.stdout_text().find(option), std::string::npos) << option;
}

// A chat-server on a port of its choosing, with no broadcast limit.
inline std::vector<std::string> server_args() {
  std::vector<std::string> args{"--port=0", "--log-level=warn"};
  if (server_has_option("--max-broadcast-rate")) args.push_back("--max-broadcast-rate=0");
  return args;
}

class ChatBenchTest : public ::testing::Test {
protected:
  // What a test fixture adds to server_args() (e.g. a small --max-frame).
  virtual std::vector<std::string> more_server_args() const { return {}; }

  void SetUp() override {
    auto args = server_args();
    for (auto& arg : more_server_args())
      args.push_back(arg);
    server_.emplace(chat_server_bin(), args);
    auto port = listening_port(*server_);
    ASSERT_TRUE(port) << server_->describe();
    port_ = *port;
  }

  // Starts chat-bench against the server; finish_bench waits for its end and parses its report.
  std::unique_ptr<child_process> start_bench(std::vector<std::string> args) {
    args.push_back("--port=" + std::to_string(port_));
    return std::make_unique<child_process>(CHAT_BENCH_BIN, args);
  }

  bench_report finish_bench(child_process& bench, int expected_exit = 0) {
    auto status = bench.wait(bench_timeout);
    EXPECT_TRUE(status.exited_with(expected_exit)) << status << '\n' << bench.describe();
    return bench_report{last_line(bench.stdout_text())};
  }

  std::optional<child_process> server_;
  int port_ = 0;
};

} // namespace chat::test
