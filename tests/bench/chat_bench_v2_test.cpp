// chat_bench_v2_test.cpp -- chat-bench's protocol-version-2 loads as a process against a real
// chat-server: --channels (per-channel figures, no loss, each MSG owed to its channel only),
// --direct (every DM acknowledged and delivered once) and the options they refuse.
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

// 30 clients in 3 channels of 10, two senders each: every MSG reaches the 10 members of its
// sender's channel (the sender included) and nobody else, in order, once.
TEST_F(ChatBenchTest, ChannelsSpreadClientsAndReportEachChannel) {
  auto bench = start_bench({"--clients=30", "--channels=3", "--senders=6", "--duration=1s",
                            "--warmup=300ms", "--server-pid=" + std::to_string(server_->pid())});
  auto report = finish_bench(*bench);
  EXPECT_EQ(report.text("/mode"), "channels") << report;
  EXPECT_EQ(report.number("/channels"), 3) << report;
  EXPECT_EQ(report.number("/logged_in"), 30) << report;
  EXPECT_EQ(report.number("/joined"), 30) << report;
  EXPECT_EQ(report.number("/join_failed"), 0) << report;
  auto sent = report.number("/sent");
  EXPECT_GT(sent, 0) << report;
  EXPECT_EQ(report.number("/delivered"), sent * 10) << report; // not sent * 30: one channel
  EXPECT_EQ(report.number("/expected"), sent * 10) << report;
  EXPECT_EQ(report.number("/lost"), 0) << report;
  EXPECT_EQ(report.number("/duplicates"), 0) << report;
  EXPECT_EQ(report.number("/reordered"), 0) << report;
  EXPECT_EQ(report.number("/wrong_channel"), 0) << report;
  EXPECT_EQ(report.number("/foreign"), 0) << report;
  EXPECT_EQ(report.number("/refused"), 0) << report;
  EXPECT_GT(report.number("/server_cpu_ns_per_delivery"), 0) << report;
  EXPECT_FALSE(report.has("direct")) << report;

  ASSERT_EQ(report.size("/per_channel"), 3u) << report;
  double sent_over_channels = 0;
  for (std::size_t k = 0; k < 3; ++k) {
    auto c = "/per_channel/" + std::to_string(k);
    EXPECT_EQ(report.text(c + "/channel"), "bench-" + std::to_string(k)) << report;
    EXPECT_EQ(report.number(c + "/members"), 10) << report;
    EXPECT_EQ(report.number(c + "/joined"), 10) << report;
    EXPECT_EQ(report.number(c + "/senders"), 2) << report;
    auto channel_sent = report.number(c + "/sent");
    EXPECT_GT(channel_sent, 0) << report;
    EXPECT_EQ(report.number(c + "/delivered"), channel_sent * 10) << report;
    EXPECT_EQ(report.number(c + "/expected"), channel_sent * 10) << report;
    EXPECT_EQ(report.number(c + "/lost"), 0) << report;
    EXPECT_EQ(report.number(c + "/duplicates"), 0) << report;
    EXPECT_EQ(report.number(c + "/reordered"), 0) << report;
    EXPECT_GT(report.number(c + "/deliveries_per_s"), 0) << report;
    EXPECT_GT(report.number(c + "/p50_us"), 0) << report;
    EXPECT_GE(report.number(c + "/p99_us"), report.number(c + "/p50_us")) << report;
    sent_over_channels += channel_sent;
  }
  EXPECT_EQ(sent_over_channels, sent) << report;

  // The text summary on stderr: the totals, then one line per channel.
  auto text = bench->stderr_text();
  EXPECT_NE(text.find("channels: 3 with 30 of 30 clients joined"), std::string::npos) << text;
  EXPECT_NE(text.find("lost 0, duplicates 0, reordered 0"), std::string::npos) << text;
  for (auto name : {"bench-0 ", "bench-1 ", "bench-2 "})
    EXPECT_NE(text.find(name), std::string::npos) << name << '\n' << text;
  EXPECT_NE(text.find(" joined 30"), std::string::npos) << text; // the progress line
}

// Every DM is acknowledged (REPLY ok) and delivered once to its one receiver.
TEST_F(ChatBenchTest, DirectMessagesAreAckedAndDeliveredOnce) {
  auto bench =
      start_bench({"--clients=20", "--senders=4", "--direct", "--duration=1s", "--warmup=300ms"});
  auto report = finish_bench(*bench);
  EXPECT_EQ(report.text("/mode"), "direct") << report;
  EXPECT_EQ(report.number("/logged_in"), 20) << report;
  auto sent = report.number("/sent");
  EXPECT_GT(sent, 0) << report;
  EXPECT_EQ(report.number("/delivered"), sent) << report; // one receiver per DM
  EXPECT_EQ(report.number("/lost"), 0) << report;
  EXPECT_EQ(report.number("/duplicates"), 0) << report;
  EXPECT_EQ(report.number("/reordered"), 0) << report;
  ASSERT_TRUE(report.find("/direct")) << report;
  EXPECT_EQ(report.number("/direct/sent"), sent) << report;
  EXPECT_EQ(report.number("/direct/acked"), sent) << report;
  EXPECT_EQ(report.number("/direct/refused"), 0) << report;
  EXPECT_EQ(report.number("/direct/rate_limited"), 0) << report;
  EXPECT_EQ(report.number("/direct/delivered"), sent) << report;
  EXPECT_EQ(report.number("/direct/lost"), 0) << report;
  EXPECT_GT(report.number("/direct/dms_per_s"), 0) << report;
  EXPECT_GT(report.number("/direct/acks_per_s"), 0) << report;
  EXPECT_GT(report.number("/direct/ack_latency_us/p50"), 0) << report;
  EXPECT_FALSE(report.has("per_channel")) << report;
  auto text = bench->stderr_text();
  EXPECT_NE(text.find("direct: 4 senders sent"), std::string::npos) << text;
  EXPECT_NE(text.find("acked/s"), std::string::npos) << text; // the progress line
}

// DMs to a fixed ring of 2 peers: each of the 3 senders reaches only the 2 clients after it.
TEST_F(ChatBenchTest, DirectMessagesRotateOverDmPeers) {
  auto bench = start_bench({"--clients=10", "--senders=3", "--direct", "--dm-peers=2",
                            "--duration=500ms", "--warmup=0s"});
  auto report = finish_bench(*bench);
  auto sent = report.number("/sent");
  EXPECT_GT(sent, 0) << report;
  EXPECT_EQ(report.number("/direct/acked"), sent) << report;
  EXPECT_EQ(report.number("/delivered"), sent) << report;
}

TEST(ChatBenchV2OptionsTest, RefusesOptionsThatDoNotGoTogether) {
  for (std::vector<std::string> args : {
           std::vector<std::string>{"--clients=2", "--channels=3"},
           {"--channels=2", "--direct"},
           {"--dm-peers=2"},
           {"--clients=5", "--direct", "--dm-peers=5"},
           {"--channels=20000", "--clients=30000"},
           {"--channels=2", "--framing=asio-example"},
           {"--direct", "--connect-only"},
       }) {
    expect_refused(args, "--");
  }
}

TEST(ChatBenchV2OptionsTest, HelpNamesTheNewOptions) {
  expect_help_names({"--channels", "--direct", "--dm-peers"});
}

} // namespace
