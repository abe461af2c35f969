// app_config_test.cpp -- app_config::parse_command_line as chat-bench relies on it: "--name value"
// joined for CAF, and a repeated list option (--server, --server-pid) gathered, not overwritten.
#include "apps/cli/app_config.hpp"

#include <gtest/gtest.h>

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace {

struct list_config : chat::app_config {
  std::vector<std::string> servers;
  std::vector<int64_t> pids;
  std::string host;
  bool quiet = false;

  list_config() {
    opt_group{custom_options_, "global"}
        .add(servers, "server", "")
        .add(pids, "server-pid", "")
        .add(host, "host", "")
        .add(quiet, "quiet", "");
  }

  caf::error read(std::vector<std::string> words) {
    words.insert(words.begin(), "test");
    std::vector<char*> argv;
    for (auto& w : words)
      argv.push_back(w.data());
    return parse_command_line(static_cast<int>(argv.size()), argv.data());
  }
};

using strings = std::vector<std::string>;

TEST(AppConfigTest, ARepeatedListOptionKeepsEveryValueInOrder) {
  list_config cfg;
  ASSERT_FALSE(cfg.read({"--server", "127.0.0.1:7000", "--quiet", "--server=127.0.0.2:7001",
                         "--server", "localhost:7002"}));
  EXPECT_EQ(cfg.servers, (strings{"127.0.0.1:7000", "127.0.0.2:7001", "localhost:7002"}));
  EXPECT_TRUE(cfg.quiet);
}

TEST(AppConfigTest, ARepeatedNumberListKeepsEveryValue) {
  list_config cfg;
  ASSERT_FALSE(cfg.read({"--server-pid", "12", "--server-pid", "34"}));
  EXPECT_EQ(cfg.pids, (std::vector<int64_t>{12, 34}));
}

TEST(AppConfigTest, CafListSyntaxMixesWithRepeats) {
  list_config cfg;
  ASSERT_FALSE(cfg.read({"--server=[a:1,\"b:2\",]", "--server", "c:3", "--server=[]"}));
  EXPECT_EQ(cfg.servers, (strings{"a:1", "b:2", "c:3"}));
}

TEST(AppConfigTest, AOneValueListAndScalarsParseAsBefore) {
  list_config cfg;
  ASSERT_FALSE(cfg.read({"--server", "127.0.0.1:7000", "--host", "first", "--host=second"}));
  EXPECT_EQ(cfg.servers, (strings{"127.0.0.1:7000"}));
  EXPECT_EQ(cfg.host, "second"); // a scalar repeated: the last wins, as in CAF
  EXPECT_TRUE(cfg.pids.empty());
}

TEST(AppConfigTest, ABadValueInAListIsStillAnError) {
  list_config cfg;
  EXPECT_TRUE(cfg.read({"--server-pid", "12", "--server-pid", "x"}));
  list_config missing;
  EXPECT_TRUE(missing.read({"--server"}));
}

} // namespace
