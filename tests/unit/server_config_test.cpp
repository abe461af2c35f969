// server_config_test.cpp -- chat-server's command line as people type it: "--name value",
// repeated --peer, and the cluster options' validation.
#include "apps/chat-server/server_config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
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

TEST(ServerConfigTest, UnknownOptionsAndBadValuesStillReachCaf) {
  chat::server_config a;
  EXPECT_TRUE(parse(a, {"--bogus"}).err);
  chat::server_config b;
  EXPECT_TRUE(parse(b, {"--port", "x"}).err);
}

} // namespace
