// scenario_runner_test.cpp -- the scenario format and runner catch what they must: parse errors,
// a wrong frame, a stray frame, broken per-sender order, a connection that stays open.
#include "apps/scenario/scenario_runner.hpp"
#include "tests/support/local_node.hpp"

#include <gtest/gtest.h>

namespace {

using chat::scenario_step;

chat::scenario parse_ok(const std::string& text) {
  chat::scenario s;
  std::string error;
  EXPECT_TRUE(chat::parse_scenario(text, s, error)) << error;
  return s;
}

std::string parse_error(const std::string& text) {
  chat::scenario s;
  std::string error;
  EXPECT_FALSE(chat::parse_scenario(text, s, error));
  return error;
}

TEST(ScenarioParserTest, StepsOnOneLineRunLeftToRight) {
  auto s = parse_ok("# comment\n\nann > LOGIN ann | ann < LOGIN \"Login OK\"\n");
  ASSERT_EQ(s.steps.size(), 2u);
  EXPECT_EQ(s.steps[0].what, scenario_step::action::send);
  EXPECT_EQ(s.steps[0].client, "ann");
  EXPECT_EQ(s.steps[0].type, 1);
  EXPECT_EQ(s.steps[0].payload, "ann");
  EXPECT_EQ(s.steps[1].what, scenario_step::action::expect);
  EXPECT_EQ(s.steps[1].payload, "Login OK");
  EXPECT_EQ(s.steps[1].line, 3u);
}

TEST(ScenarioParserTest, QuotedPayloadsKeepPipesAndEscapes) {
  auto s = parse_ok(R"(ann > RAW "a|b\x00\xFF\"\\\n" | ann < CLOSED)");
  ASSERT_EQ(s.steps.size(), 2u);
  EXPECT_EQ(s.steps[0].what, scenario_step::action::send_raw);
  EXPECT_EQ(s.steps[0].payload, std::string("a|b\0\xFF\"\\\n", 8));
  EXPECT_EQ(s.steps[1].what, scenario_step::action::expect_closed);
}

TEST(ScenarioParserTest, NestedLoopsExpandInOrder) {
  auto s = parse_ok("for i in 1..2: for j in 3..4: c$i > SEND_MSG m$j\n");
  ASSERT_EQ(s.steps.size(), 4u);
  EXPECT_EQ(s.steps[0].client + s.steps[0].payload, "c1m3");
  EXPECT_EQ(s.steps[1].client + s.steps[1].payload, "c1m4");
  EXPECT_EQ(s.steps[3].client + s.steps[3].payload, "c2m4");
}

TEST(ScenarioParserTest, ErrorsNameTheLine) {
  EXPECT_EQ(parse_error("ann > LOGIN a\nann > BOGUS x\n").substr(0, 7), "line 2:");
  EXPECT_NE(parse_error("ann ? LOGIN a").find("unknown operator"), std::string::npos);
  EXPECT_NE(parse_error("ann > SEND_MSG \"open").find("missing closing quote"), std::string::npos);
  EXPECT_NE(parse_error("ann > SEND_MSG \"\\xZZ\"").find("hex"), std::string::npos);
  EXPECT_NE(parse_error("for i in 1..: x").find("for VAR"), std::string::npos);
}

// A runner against a real node. Steps that must arrive get seconds (a sanitizer build on a busy
// 2-core machine needs more than 300 ms for connect + LOGIN); the tests of the timeout itself
// pass a short one so that they fail quickly.
class ScenarioRunnerTest : public ::testing::Test {
protected:
  std::string run(const std::string& text,
                  std::chrono::milliseconds step_timeout = std::chrono::seconds(5)) {
    chat::scenario_runner runner{node.system(), node.io(), "127.0.0.1", node.port(), step_timeout};
    return runner.run(parse_ok(text));
  }
  chat::test::local_node node;
};

TEST_F(ScenarioRunnerTest, PassingScriptGivesNoFailure) {
  EXPECT_EQ(run("ann > LOGIN ann | ann < LOGIN \"Login OK\""), "");
}

TEST_F(ScenarioRunnerTest, WrongFrameIsReportedWithWhatArrived) {
  EXPECT_EQ(run("ann > LOGIN ann | ann < LOGIN \"Login failed\""),
            "line 1: ann < LOGIN \"Login failed\": got LOGIN \"Login OK\"");
}

TEST_F(ScenarioRunnerTest, StrayFrameFailsAtTheEnd) {
  EXPECT_EQ(run("ann > LOGIN ann"), "at the end, ann: unexpected LOGIN \"Login OK\"");
}

TEST_F(ScenarioRunnerTest, MissingFrameTimesOut) {
  EXPECT_EQ(run("ann < LOGIN \"Login OK\"", std::chrono::milliseconds(300)),
            "line 1: ann < LOGIN \"Login OK\": nothing arrived within 300 ms");
}

TEST_F(ScenarioRunnerTest, BrokenPerSenderOrderFails) {
  auto failure = run("ann > LOGIN ann | ann < LOGIN \"Login OK\"\n"
                     "ann > BROADCAST_MSG one | ann > BROADCAST_MSG two\n"
                     "ann << BROADCAST_MSG \"ann: two\" | ann << BROADCAST_MSG \"ann: one\"\n");
  EXPECT_EQ(failure, "at the end, ann: got BROADCAST_MSG \"ann: one\" before "
                     "BROADCAST_MSG \"ann: two\"");
}

TEST_F(ScenarioRunnerTest, OpenConnectionFailsExpectClosed) {
  EXPECT_EQ(run("ann < CLOSED", std::chrono::milliseconds(300)),
            "line 1: ann < CLOSED: still open after 300 ms");
}

TEST_F(ScenarioRunnerTest, UnreachableServerIsReported) {
  chat::scenario_runner runner{node.system(), node.io(), "127.0.0.1", 1,
                               std::chrono::milliseconds(300)};
  auto failure = runner.run(parse_ok("ann > LOGIN ann | ann < LOGIN \"Login OK\""));
  EXPECT_NE(failure.find("cannot connect"), std::string::npos) << failure;
}

} // namespace
