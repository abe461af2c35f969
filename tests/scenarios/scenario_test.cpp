// scenario_test.cpp -- runs every tests/scenarios/*.chat file against a real in-process server
// with real client_session actors over TCP on 127.0.0.1; a file's `# options: ...` lines are
// chat-server options for its server. History is kept in memory.
#include "apps/chat-server/server_config.hpp"
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

// The words of every "# options:" line, parsed as chat-server's command line would be.
bool server_options_of(const std::string& text, chat::server_options& out, std::string& error) {
  constexpr std::string_view header = "# options:";
  std::vector<std::string> words{"chat-server"};
  std::istringstream lines{text};
  for (std::string line; std::getline(lines, line);) {
    if (line.compare(0, header.size(), header) != 0) continue;
    std::istringstream rest{line.substr(header.size())};
    for (std::string word; rest >> word;)
      words.push_back(word);
  }
  chat::server_config cfg;
  std::vector<char*> argv;
  for (auto& w : words)
    argv.push_back(w.data());
  if (auto err = cfg.parse_command_line(static_cast<int>(argv.size()), argv.data()))
    return error = cfg.render(err), false;
  if (error = cfg.validate(); !error.empty()) return false;
  out = cfg.node_options();
  out.host = "127.0.0.1";
  out.port = 0;
  // History in memory, so offsets start at 1 in every script; retention as the options say.
  out.channels.history = std::get<chat::store::history_store_ptr>(
      chat::store::history_store::open(std::string{chat::store::memory_only}, cfg.retention()));
  return true;
}

class ScenarioTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioTest, EveryClientReceivesWhatTheScriptSays) {
  auto text = read_file(GetParam());
  chat::scenario script;
  std::string error;
  ASSERT_TRUE(chat::parse_scenario(text, script, error)) << error;
  ASSERT_FALSE(script.steps.empty());
  chat::server_options options;
  ASSERT_TRUE(server_options_of(text, options, error)) << GetParam() << ": " << error;
  chat::test::local_node node{options};
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
