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
using chat::test::json_number;
using chat::test::json_objects;
using chat::test::json_part;

// 30 clients in 3 channels of 10, two senders each: every MSG reaches the 10 members of its
// sender's channel (the sender included) and nobody else, in order, once.
TEST_F(ChatBenchTest, ChannelsSpreadClientsAndReportEachChannel) {
  auto bench = start_bench({"--clients=30", "--channels=3", "--senders=6", "--duration=1s",
                            "--warmup=300ms", "--server-pid=" + std::to_string(server_->pid())});
  auto json = finish_bench(*bench);
  EXPECT_NE(json.find("\"mode\":\"channels\""), std::string::npos) << json;
  EXPECT_EQ(json_number(json, "channels"), 3) << json;
  EXPECT_EQ(json_number(json, "logged_in"), 30) << json;
  EXPECT_EQ(json_number(json, "joined"), 30) << json;
  EXPECT_EQ(json_number(json, "join_failed"), 0) << json;
  auto sent = json_number(json, "sent").value_or(0);
  EXPECT_GT(sent, 0) << json;
  EXPECT_EQ(json_number(json, "delivered"), sent * 10) << json; // not sent * 30: one channel
  EXPECT_EQ(json_number(json, "expected"), sent * 10) << json;
  EXPECT_EQ(json_number(json, "lost"), 0) << json;
  EXPECT_EQ(json_number(json, "duplicates"), 0) << json;
  EXPECT_EQ(json_number(json, "reordered"), 0) << json;
  EXPECT_EQ(json_number(json, "wrong_channel"), 0) << json;
  EXPECT_EQ(json_number(json, "foreign"), 0) << json;
  EXPECT_EQ(json_number(json, "refused"), 0) << json;
  EXPECT_GT(json_number(json, "server_cpu_ns_per_delivery").value_or(0), 0) << json;

  auto channels = json_objects(json_part(json, "per_channel"));
  ASSERT_EQ(channels.size(), 3u) << json;
  double sent_over_channels = 0;
  for (std::size_t k = 0; k < channels.size(); ++k) {
    auto& c = channels[k];
    EXPECT_NE(c.find("\"channel\":\"bench-" + std::to_string(k) + '"'), std::string::npos) << c;
    EXPECT_EQ(json_number(c, "members"), 10) << c;
    EXPECT_EQ(json_number(c, "joined"), 10) << c;
    EXPECT_EQ(json_number(c, "senders"), 2) << c;
    auto channel_sent = json_number(c, "sent").value_or(0);
    EXPECT_GT(channel_sent, 0) << c;
    EXPECT_EQ(json_number(c, "delivered"), channel_sent * 10) << c;
    EXPECT_EQ(json_number(c, "expected"), channel_sent * 10) << c;
    EXPECT_EQ(json_number(c, "lost"), 0) << c;
    EXPECT_EQ(json_number(c, "duplicates"), 0) << c;
    EXPECT_EQ(json_number(c, "reordered"), 0) << c;
    EXPECT_GT(json_number(c, "deliveries_per_s").value_or(0), 0) << c;
    EXPECT_GT(json_number(c, "p50_us").value_or(0), 0) << c;
    EXPECT_GE(json_number(c, "p99_us").value_or(0), json_number(c, "p50_us").value_or(1)) << c;
    sent_over_channels += channel_sent;
  }
  EXPECT_EQ(sent_over_channels, sent) << json;

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
  auto json = finish_bench(*bench);
  EXPECT_NE(json.find("\"mode\":\"direct\""), std::string::npos) << json;
  EXPECT_EQ(json_number(json, "logged_in"), 20) << json;
  auto sent = json_number(json, "sent").value_or(0);
  EXPECT_GT(sent, 0) << json;
  EXPECT_EQ(json_number(json, "delivered"), sent) << json; // one receiver per DM
  EXPECT_EQ(json_number(json, "lost"), 0) << json;
  EXPECT_EQ(json_number(json, "duplicates"), 0) << json;
  EXPECT_EQ(json_number(json, "reordered"), 0) << json;
  auto direct = json_part(json, "direct");
  ASSERT_FALSE(direct.empty()) << json;
  EXPECT_EQ(json_number(direct, "sent"), sent) << json;
  EXPECT_EQ(json_number(direct, "acked"), sent) << json;
  EXPECT_EQ(json_number(direct, "refused"), 0) << json;
  EXPECT_EQ(json_number(direct, "rate_limited"), 0) << json;
  EXPECT_GT(json_number(direct, "dms_per_s").value_or(0), 0) << json;
  EXPECT_GT(json_number(direct, "acks_per_s").value_or(0), 0) << json;
  EXPECT_GT(json_number(json_part(direct, "ack_latency_us"), "p50").value_or(0), 0) << json;
  EXPECT_EQ(json.find("\"per_channel\""), std::string::npos) << json;
  auto text = bench->stderr_text();
  EXPECT_NE(text.find("direct: 4 senders sent"), std::string::npos) << text;
  EXPECT_NE(text.find("acked/s"), std::string::npos) << text; // the progress line
}

// DMs to a fixed ring of 2 peers: each of the 3 senders reaches only the 2 clients after it.
TEST_F(ChatBenchTest, DirectMessagesRotateOverDmPeers) {
  auto bench = start_bench({"--clients=10", "--senders=3", "--direct", "--dm-peers=2",
                            "--duration=500ms", "--warmup=0s"});
  auto json = finish_bench(*bench);
  auto sent = json_number(json, "sent").value_or(0);
  EXPECT_GT(sent, 0) << json;
  EXPECT_EQ(json_number(json_part(json, "direct"), "acked"), sent) << json;
  EXPECT_EQ(json_number(json, "delivered"), sent) << json;
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
    child_process bench{CHAT_BENCH_BIN, args};
    auto status = bench.wait(exit_timeout);
    EXPECT_TRUE(status.exited_with(2)) << status << '\n' << bench.describe();
    EXPECT_NE(bench.stderr_text().find("--"), std::string::npos) << bench.describe();
    EXPECT_EQ(bench.stdout_text(), "") << bench.describe();
  }
}

TEST(ChatBenchV2OptionsTest, HelpNamesTheNewOptions) {
  child_process help{CHAT_BENCH_BIN, {"--help"}};
  auto status = help.wait(exit_timeout);
  EXPECT_TRUE(status.exited_with(0)) << status << '\n' << help.describe();
  for (auto option : {"--channels", "--direct", "--dm-peers"})
    EXPECT_NE(help.stdout_text().find(option), std::string::npos) << option;
}

} // namespace
