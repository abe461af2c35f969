// chat_bench_large_test.cpp -- chat-bench --large-message as a process against a real chat-server
// with a small --max-frame, so that each large MSG travels in dozens of PART frames both ways:
// every one reaches every member of its channel whole, none is lost or corrupt, and the normal
// MSGs' counters add up as they do without it. Also its clear failure when the server's
// --max-message is too small, and the options it refuses.
#include "apps/chat-bench/large_message.hpp"
#include "tests/bench/bench_json.hpp"
#include "tests/bench/bench_server.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using chat::test::ChatBenchTest;
using chat::test::child_process;
using chat::test::exit_timeout;
using chat::test::expect_help_names;
using chat::test::expect_refused;

constexpr std::size_t large_bytes = 200000;
constexpr uint32_t small_frame = 4096;

class ChatBenchLargeTest : public ChatBenchTest {
protected:
  std::vector<std::string> more_server_args() const override {
    return {"--max-frame=" + std::to_string(small_frame), "--data-dir=:memory:"};
  }
};

// 20 clients in 2 channels of 10, 4 senders; client 0 (in bench-0) also sends a 200,000-byte
// MSG every 250 ms of the 2 s measured: 49 PART frames of at most 4096 bytes to the server, and
// as many or one more to each of the 10 members.
TEST_F(ChatBenchLargeTest, EveryLargeMessageReachesEveryMemberWhole) {
  auto bench =
      start_bench({"--clients=20", "--channels=2", "--senders=4", "--duration=2s", "--warmup=500ms",
                   "--large-message=" + std::to_string(large_bytes), "--large-every=250ms",
                   "--server-pid=" + std::to_string(server_->pid())});
  auto report = finish_bench(*bench);
  ASSERT_TRUE(report.find("/large")) << report;
  auto sent = report.number("/large/sent");
  EXPECT_GT(sent, 0) << report;
  EXPECT_EQ(report.number("/large/bytes"), large_bytes) << report;
  EXPECT_EQ(report.number("/large/expected"), sent * 10) << report; // bench-0's members
  EXPECT_EQ(report.number("/large/delivered"), sent * 10) << report;
  EXPECT_EQ(report.number("/large/lost"), 0) << report;
  EXPECT_EQ(report.number("/large/corrupt"), 0) << report;
  EXPECT_EQ(report.number("/large/duplicates"), 0) << report;
  EXPECT_EQ(report.number("/large/refused"), 0) << report;
  EXPECT_EQ(report.number("/large/tracked"), sent) << report;
  EXPECT_EQ(report.number("/large/reached_all"), sent) << report; // the 9 others, every one

  chat::v2::server_limits limits;
  limits.max_frame = small_frame;
  limits.max_message = 1 << 20;
  limits.max_parts = chat::v2::default_max_parts;
  auto parts =
      chat::bench::large_splitter(limits).parts_for(chat::bench::msg_request_body(7, large_bytes));
  EXPECT_EQ(report.number("/large/parts"), parts) << report;
  EXPECT_GE(report.number("/large/parts_in"), sent * 10 * parts) << report;
  EXPECT_GT(report.number("/large/part_bytes_in"), sent * 10 * large_bytes) << report;
  EXPECT_GT(report.number("/large/latency_us/p50"), 0) << report;
  EXPECT_GE(report.number("/large/to_all_us/max"), report.number("/large/latency_us/p50"))
      << report;

  // The normal MSGs: each reaches its channel's 10 members, and no large one is among them.
  auto normal = report.number("/sent");
  EXPECT_GT(normal, 0) << report;
  EXPECT_EQ(report.number("/expected"), normal * 10) << report;
  EXPECT_EQ(report.number("/delivered"), normal * 10) << report;
  EXPECT_EQ(report.number("/lost"), 0) << report;
  EXPECT_EQ(report.number("/duplicates"), 0) << report;
  EXPECT_EQ(report.number("/reordered"), 0) << report;
  EXPECT_EQ(report.number("/wrong_channel"), 0) << report;
  EXPECT_EQ(report.number("/foreign"), 0) << report;
  EXPECT_EQ(report.number("/refused"), 0) << report;
  EXPECT_EQ(report.number("/server_errors"), 0) << report;
  EXPECT_EQ(report.number("/per_channel/0/delivered"), report.number("/per_channel/0/sent") * 10)
      << report;

  auto text = bench->stderr_text();
  EXPECT_NE(text.find("large messages: "), std::string::npos) << text;
  EXPECT_NE(text.find("lost 0, corrupt 0, refused 0"), std::string::npos) << text;
}

class ChatBenchSmallMessageTest : public ChatBenchTest {
protected:
  std::vector<std::string> more_server_args() const override {
    return {"--max-frame=" + std::to_string(small_frame), "--max-message=100000",
            "--data-dir=:memory:"};
  }
};

// The server's --max-message cannot take the MSG: every client fails at once, saying why.
TEST_F(ChatBenchSmallMessageTest, ALargeMessageTheServerCannotTakeFailsTheRunClearly) {
  auto bench = start_bench({"--clients=4", "--channels=1", "--duration=1s", "--warmup=0s",
                            "--large-message=" + std::to_string(large_bytes)});
  auto report = finish_bench(*bench, 1);
  EXPECT_EQ(report.number("/logged_in"), 0) << report;
  auto text = bench->stderr_text();
  EXPECT_NE(text.find("more than the server's max_message 100000 (chat-server --max-message)"),
            std::string::npos)
      << text;
}

TEST(ChatBenchLargeOptionsTest, RefusesOptionsThatDoNotGoTogether) {
  for (std::vector<std::string> args : {
           std::vector<std::string>{"--large-message=200000"}, // no --channels
           {"--channels=1", "--large-message=64"},             // not above --payload
           {"--channels=1", "--large-message=200000", "--tls"},
           {"--channels=1", "--large-message=200000", "--transport=ws"},
           {"--channels=1", "--large-message=200000", "--connect-only"},
           {"--channels=1", "--large-message=200000", "--large-every=0s"},
           {"--channels=1", "--large-message=200000", "--large-every=1ms", "--duration=1000s"},
       }) {
    expect_refused(args, "--large-");
  }
}

TEST(ChatBenchLargeOptionsTest, HelpNamesTheOptions) {
  expect_help_names({"--large-message", "--large-every"});
}

} // namespace
