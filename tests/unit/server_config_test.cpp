// server_config_test.cpp -- chat-server's command line as people type it: "--name value",
// repeated --peer, and the cluster options' validation.
#include "apps/chat-server/server_config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace {

struct parsed {
  caf::error err;
  std::string problem; // validate()
};

parsed parse(chat::server_config& cfg, std::vector<std::string> words) {
  words.insert(words.begin(), "chat-server");
  std::vector<char*> argv;
  for (auto& w : words)
    argv.push_back(w.data());
  auto err = cfg.parse_command_line(static_cast<int>(argv.size()), argv.data());
  return {err, err ? std::string{} : cfg.validate()};
}

TEST(ServerConfigTest, RepeatedPeersAreAllKeptInOrder) {
  chat::server_config cfg;
  auto r = parse(cfg, {"--cluster-port", "9001", "--peer", "127.0.0.1:9002", "--peer=h:9003",
                       "--port", "7001"});
  ASSERT_FALSE(r.err) << cfg.render(r.err);
  EXPECT_EQ(r.problem, "");
  EXPECT_EQ(cfg.peers, (std::vector<std::string>{"127.0.0.1:9002", "h:9003"}));
  EXPECT_EQ(cfg.port, 7001);
  EXPECT_EQ(cfg.cluster_port, 9001);
  EXPECT_EQ(cfg.node_options().cluster_host, "127.0.0.1") << "defaults to --host";
}

TEST(ServerConfigTest, OneCafWorkerPerCoreUnlessToldOtherwise) {
  chat::server_config defaults;
  ASSERT_FALSE(parse(defaults, {}).err);
  auto cores = std::max(1u, std::thread::hardware_concurrency());
  EXPECT_EQ(caf::get_or(defaults, "scheduler.max-threads", size_t{0}), cores);
  chat::server_config three;
  auto r = parse(three, {"--scheduler.max-threads=3"});
  ASSERT_FALSE(r.err) << three.render(r.err);
  EXPECT_EQ(caf::get_or(three, "scheduler.max-threads", size_t{0}), 3u);
}

TEST(ServerConfigTest, IdleCafWorkersNap200MicrosecondsUnlessToldOtherwise) {
  using std::chrono::microseconds;
  chat::server_config defaults;
  ASSERT_FALSE(parse(defaults, {}).err);
  EXPECT_EQ(caf::get_or(defaults, "work-stealing.moderate-sleep-duration", caf::timespan{}),
            caf::timespan{microseconds{200}});
  chat::server_config cafs;
  auto r = parse(cafs, {"--work-stealing.moderate-sleep-duration=50us"});
  ASSERT_FALSE(r.err) << cafs.render(r.err);
  EXPECT_EQ(caf::get_or(cafs, "work-stealing.moderate-sleep-duration", caf::timespan{}),
            caf::timespan{microseconds{50}});
}

TEST(ServerConfigTest, APeerListInCafSyntaxStillWorks) {
  chat::server_config cfg;
  auto r = parse(cfg, {"--cluster-port=9001", "--peer=[\"a:1\",\"b:2\"]"});
  ASSERT_FALSE(r.err) << cfg.render(r.err);
  EXPECT_EQ(cfg.peers, (std::vector<std::string>{"a:1", "b:2"}));
}

TEST(ServerConfigTest, ClusterOptionsThatCannotWorkAreRefused) {
  {
    chat::server_config cfg;
    EXPECT_EQ(parse(cfg, {"--peer", "a:1"}).problem, "--peer needs --cluster-port");
  }
  {
    chat::server_config cfg;
    EXPECT_EQ(parse(cfg, {"--cluster-port", "9001", "--peer", "nohost"}).problem,
              "--peer 'nohost' is not HOST:PORT");
  }
  {
    chat::server_config cfg;
    EXPECT_NE(parse(cfg, {"--host", "0.0.0.0", "--cluster-port", "9001"}).problem, "")
        << "other nodes cannot dial 0.0.0.0";
  }
}

TEST(ServerConfigTest, AuthOptionsThatCannotWorkAreRefused) {
  auto problem = [](std::vector<std::string> words) {
    chat::server_config cfg;
    return parse(cfg, std::move(words)).problem;
  };
  EXPECT_EQ(problem({"--auth", "password"}), "--auth must be none or token");
  EXPECT_EQ(problem({"--auth", "token"}),
            "--auth token needs --auth-secret-file or --auth-public-key-file");
  EXPECT_EQ(problem({"--auth", "token", "--auth-secret-file", "s", "--auth-public-key-file", "p"}),
            "--auth token takes one of --auth-secret-file and --auth-public-key-file");
  EXPECT_EQ(problem({"--auth-secret-file", "s"}),
            "--auth-secret-file and --auth-public-key-file need --auth token");
  EXPECT_EQ(problem({"--auth", "token", "--auth-secret-file", "s", "--auth-leeway", "1h"}),
            "--auth-leeway must be between 0s and 5min");
  EXPECT_EQ(problem({"--auth", "token", "--auth-secret-file", "s", "--auth-leeway", "30s"}), "");
  EXPECT_EQ(problem({}), "");
}

TEST(ServerConfigTest, UdpOptionsAreOffByDefaultAndBounded) {
  auto problem = [](std::vector<std::string> words) {
    chat::server_config cfg;
    return parse(cfg, std::move(words)).problem;
  };
  chat::server_config defaults;
  ASSERT_FALSE(parse(defaults, {}).err);
  EXPECT_FALSE(defaults.node_options().udp_port) << "off unless asked for";
  EXPECT_EQ(defaults.node_options().udp_max_datagram, 1200u);
  chat::server_config on;
  auto r = parse(on, {"--udp-port", "0", "--udp-max-datagram=256"});
  ASSERT_FALSE(r.err) << on.render(r.err);
  EXPECT_EQ(r.problem, "");
  EXPECT_EQ(on.node_options().udp_port, std::optional<uint16_t>{0}) << "0: any free port";
  EXPECT_EQ(on.node_options().udp_max_datagram, 256u);
  EXPECT_EQ(problem({"--udp-port", "65536"}), "--udp-port must be -1 (off) or 0..65535");
  EXPECT_EQ(problem({"--udp-port", "-2"}), "--udp-port must be -1 (off) or 0..65535");
  EXPECT_EQ(problem({"--udp-max-datagram", "255"}),
            "--udp-max-datagram must be between 256 and 65507");
  EXPECT_EQ(problem({"--udp-max-datagram", "65508"}),
            "--udp-max-datagram must be between 256 and 65507");
  EXPECT_EQ(problem({"--udp-port", "7000", "--udp-max-datagram", "65507"}), "");
}

// A session over UDP sends up to --max-message in PART frames of one datagram each, and a client
// takes 1024 parts of a message at most: 1024 x (256 - 31 - 4 - 9) bytes with the smallest.
TEST(ServerConfigTest, MaxMessageFitsInTheUdpPartsAClientTakes) {
  chat::server_config small;
  ASSERT_EQ(parse(small, {"--udp-port=0", "--udp-max-datagram=256"}).problem, "");
  EXPECT_EQ(small.effective_max_message(), 1024u * 212) << "the default shrinks to fit";
  chat::server_config tcp_only;
  ASSERT_EQ(parse(tcp_only, {"--udp-max-datagram=256"}).problem, "");
  EXPECT_EQ(tcp_only.effective_max_message(), 1u << 20) << "UDP off: no UDP bound";
  chat::server_config told;
  EXPECT_EQ(
      parse(told, {"--udp-port=0", "--udp-max-datagram=256", "--max-message=1048576"}).problem,
      "--max-message and --max-frame must fit in 1024 parts of --udp-max-datagram bytes "
      "(at most 217088 bytes with 256)");
  chat::server_config defaults;
  ASSERT_EQ(parse(defaults, {"--udp-port=0"}).problem, "");
  EXPECT_EQ(defaults.effective_max_message(), 1u << 20) << "1 MiB fits 1024 parts of 1200 bytes";
}

TEST(ServerConfigTest, UnknownOptionsAndBadValuesStillReachCaf) {
  chat::server_config a;
  EXPECT_TRUE(parse(a, {"--bogus"}).err);
  chat::server_config b;
  EXPECT_TRUE(parse(b, {"--port", "x"}).err);
}

} // namespace

namespace {

std::string problem_of(std::vector<std::string> words) {
  chat::server_config cfg;
  auto r = parse(cfg, std::move(words));
  return r.err ? cfg.render(r.err) : r.problem;
}

// --max-message (issue 14): a message of that size must go in parts the peer takes, and fit in
// one client's outbound queue; the defaults do both.
TEST(ServerConfigTest, MaxMessageMustFitPartsAndTheOutboundQueue) {
  chat::server_config defaults;
  ASSERT_EQ(parse(defaults, {}).problem, "");
  EXPECT_EQ(defaults.node_options().session.parts.max_message, 1u << 20);
  EXPECT_EQ(defaults.node_options().session.parts.timeout, std::chrono::seconds(30));
  EXPECT_EQ(problem_of({"--max-message=4194304"}),
            "--max-outbound-bytes must hold one message of --max-message bytes in parts "
            "(4195214 bytes)");
  EXPECT_EQ(problem_of({"--max-message=4194304", "--max-outbound-bytes=4195214"}), "");
  EXPECT_EQ(problem_of({"--max-frame=1024", "--max-message=1048576"}),
            "--max-message must fit in 1024 parts of --max-frame bytes");
  // Not given, it takes what the other bounds leave room for, so older command lines still work.
  chat::server_config small_frames;
  ASSERT_EQ(parse(small_frames, {"--max-frame=1024"}).problem, "");
  EXPECT_EQ(small_frames.effective_max_message(), 1024u * (1024 - 9));
  chat::server_config small_queue;
  ASSERT_EQ(parse(small_queue, {"--max-outbound-bytes=1048576"}).problem, "");
  auto fitted = small_queue.effective_max_message();
  chat::v2::message_splitter parts{{65536, fitted, 1024}};
  EXPECT_LE(parts.wire_bytes(fitted), 1048576u);
  EXPECT_GT(fitted, 1048576u - 2 * 65536);
  EXPECT_EQ(problem_of({"--multipart-timeout=0s"}), "--multipart-timeout must be positive");
  chat::server_config small;
  ASSERT_EQ(parse(small, {"--max-message=100000", "--multipart-timeout=500ms"}).problem, "");
  EXPECT_EQ(small.node_options().session.parts.max_message, 100000u);
  EXPECT_EQ(small.node_options().session.parts.timeout, std::chrono::milliseconds(500));
}

} // namespace
