// scenario_test.cpp -- runs every tests/scenarios/*.chat file against a real in-process server
// with real client_session actors over TCP on 127.0.0.1.
#include "apps/scenario/scenario_runner.hpp"
#include "tests/support/local_node.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;

std::vector<std::string> scenario_files() {
  std::vector<std::string> files;
  for (auto& entry : fs::directory_iterator{CHAT_SCENARIO_DIR})
    if (entry.path().extension() == ".chat") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

std::string read_file(const std::string& path) {
  std::ifstream in{path};
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class ScenarioTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioTest, EveryClientReceivesWhatTheScriptSays) {
  chat::scenario script;
  std::string error;
  ASSERT_TRUE(chat::parse_scenario(read_file(GetParam()), script, error)) << error;
  ASSERT_FALSE(script.steps.empty());
  chat::test::local_node node;
  std::string failure;
  {
    chat::scenario_runner runner{node.system(), node.io(), "127.0.0.1", node.port(),
                                 std::chrono::seconds(10)};
    failure = runner.run(script);
  }
  EXPECT_EQ(failure, "") << "in " << GetParam();
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  auto name = fs::path{info.param}.stem().string();
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Scripts, ScenarioTest, ::testing::ValuesIn(scenario_files()), test_name);

} // namespace
