// scenario_runner_test.cpp -- the scenario format and runner catch what they must: parse errors,
// a wrong frame, a stray frame, broken per-sender order, a connection that stays open; and
// version-2 steps written by field: what they encode, what they leave open, how they fail.
#include "apps/scenario/scenario_runner.hpp"
#include "messages/protocol_v2.hpp"
#include "tests/support/local_node.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace {

using chat::scenario_step;
namespace v2 = chat::v2;

// The payload v2::encode gives, without the 5-byte header: what a field step must send.
template <class T> std::string payload_of(const T& value) {
  auto f = v2::encode(value);
  auto& b = chat::bytes(f);
  return std::string(b.begin() + chat::header_size, b.end());
}

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

TEST(ScenarioParserTest, RepeatedQuotedStrings) {
  auto s = parse_ok("ann > SEND_MSG \"ab\"*3 | ann > RAW \"\\x00\"*2");
  EXPECT_EQ(s.steps[0].payload, "ababab");
  EXPECT_EQ(s.steps[1].payload, std::string(2, '\0'));
}

TEST(ScenarioParserTest, Version2StepsAreEncodedByField) {
  auto s = parse_ok("ann > HELLO version=2\n"
                    "ann > JOIN ref=1 channel=rust\n"
                    "ann > MSG text=\"two words | x\" channel=rust ref=2\n" // any order
                    "ann > DM ref=3 to=bob text=\"\"\n"
                    "ann > WHO ref=4 channel=\"x\"*64 after=\"\" limit=65535\n"
                    "ann > LIST ref=4294967295 after=b limit=0\n"
                    "ann > LEAVE ref=5 channel=\"Zo\xC3\xAB\"\n");
  ASSERT_EQ(s.steps.size(), 7u);
  EXPECT_EQ(s.steps[0].type, 7);
  EXPECT_EQ(s.steps[0].payload, payload_of(v2::hello_request{2}));
  EXPECT_EQ(s.steps[1].payload, payload_of(v2::join_request{1, "rust"}));
  EXPECT_EQ(s.steps[2].payload, payload_of(v2::msg_request{2, "rust", "two words | x"}));
  EXPECT_EQ(s.steps[3].payload, payload_of(v2::dm_request{3, "bob", ""}));
  EXPECT_EQ(s.steps[4].payload, payload_of(v2::who_request{4, std::string(64, 'x'), "", 65535}));
  EXPECT_EQ(s.steps[5].payload, payload_of(v2::list_request{4294967295u, "b", 0}));
  EXPECT_EQ(s.steps[6].payload, payload_of(v2::leave_request{5, "Zo\xC3\xAB"}));
  EXPECT_TRUE(s.steps[1].by_field);
  EXPECT_EQ(chat::describe(s.steps[1]), "ann > JOIN ref=1 channel=rust");
}

TEST(ScenarioParserTest, ClientsMaySendTheServersTypesByField) {
  auto s = parse_ok("a > REPLY ref=1 status=refused text=no | a > PRESENCE channel=c user=u "
                    "event=dropped | a > WHO_REPLY ref=2 channel=c total=3 names=[ann,\"b c\"] "
                    "next=\"\" | a > LIST_REPLY ref=3 total=2 channels=[c:2,\"a:b\":1] next=c");
  ASSERT_EQ(s.steps.size(), 4u);
  EXPECT_EQ(s.steps[0].payload, payload_of(v2::reply{1, v2::status::refused, "no"}));
  EXPECT_EQ(s.steps[1].payload,
            payload_of(v2::presence_event{"c", "u", v2::presence_kind::dropped}));
  EXPECT_EQ(s.steps[2].payload, payload_of(v2::who_reply{2, "c", 3, {"ann", "b c"}, ""}));
  EXPECT_EQ(s.steps[3].payload, payload_of(v2::list_reply{3, 2, {{"c", 2}, {"a:b", 1}}, "c"}));
}

TEST(ScenarioParserTest, TypeNumbersStayRawPayloads) {
  auto s = parse_ok("ann > TYPE_9 anything | ann > TYPE_8 \"\\x01\\x00\\x00\\x00\\x28xy\"");
  EXPECT_FALSE(s.steps[0].by_field);
  EXPECT_EQ(s.steps[0].type, 9);
  EXPECT_EQ(s.steps[0].payload, "anything");
  EXPECT_EQ(s.steps[1].payload, std::string("\x01\x00\x00\x00\x28xy", 7));
  EXPECT_EQ(chat::describe(s.steps[0]), "ann > LEAVE anything");
}

TEST(ScenarioParserTest, ExpectedFieldsMayBeLeftOpen) {
  auto s = parse_ok("ann < HELLO version=2 features=\"channels,direct,presence,history\" *\n"
                    "ann < REPLY ref=* status=ok text=\"\"\n"
                    "ann < WHO_REPLY ref=4 channel=rust total=2 names=[ann,bob] next=\"\"\n");
  ASSERT_EQ(s.steps.size(), 3u);
  auto& hello = s.steps[0].fields;
  ASSERT_EQ(hello.size(), 8u);
  EXPECT_EQ(hello[0].name, "version");
  EXPECT_EQ(hello[0].value, "2");
  EXPECT_EQ(hello[1].value, "\"channels,direct,presence,history\"");
  EXPECT_FALSE(hello[2].value.has_value()) << hello[2].name;
  EXPECT_EQ(chat::to_string(s.steps[1].fields), "ref=* status=ok text=\"\"");
  EXPECT_EQ(chat::to_string(s.steps[2].fields),
            "ref=4 channel=rust total=2 names=[ann,bob] next=\"\"");
  EXPECT_EQ(s.steps[2].payload, payload_of(v2::who_reply{4, "rust", 2, {"ann", "bob"}, ""}));
  EXPECT_EQ(chat::describe(s.steps[0]),
            "ann < HELLO version=2 features=\"channels,direct,presence,history\" *");
}

TEST(ScenarioParserTest, FieldValuesPrintAsTheyAreWritten) {
  EXPECT_EQ(chat::quote_v2("rust"), "rust");
  EXPECT_EQ(chat::quote_v2(""), "\"\"");
  EXPECT_EQ(chat::quote_v2("two words"), "\"two words\"");
  EXPECT_EQ(chat::quote_v2("a:b"), "\"a:b\"");
  EXPECT_EQ(chat::quote_v2("*"), "\"*\"");
  EXPECT_EQ(chat::quote_v2(std::string(65, 'x')), "\"x\"*65");
  EXPECT_EQ(chat::quote_v2(std::string("\"\\\n\x01\xFF", 5)), "\"\\\"\\\\\\n\\x01\xFF\"");
  // what they print reads back as the same value
  for (const std::string& value : std::vector<std::string>{
           "x y", "a:b,c]", "\"q\"", std::string(70, '"'), std::string("\0\t", 2)}) {
    auto s = parse_ok("a > JOIN ref=1 channel=" + chat::quote_v2(value));
    EXPECT_EQ(s.steps[0].payload, payload_of(v2::join_request{1, value})) << value;
  }
}

TEST(ScenarioParserTest, Version2ErrorsSayWhatIsWrong) {
  auto has = [](const std::string& text, const std::string& what) {
    auto error = parse_error(text);
    EXPECT_NE(error.find(what), std::string::npos) << text << " -> " << error;
  };
  has("a > JOIN ref=1", "missing field: channel");
  has("a > WHO ref=1 channel=c", "missing fields: after limit");
  has("a > JOIN ref=1 channel=x room=y", "JOIN has no field 'room' (ref channel)");
  has("a > JOIN ref=1 ref=2 channel=x", "ref: written twice");
  has("a > JOIN ref=4294967296 channel=x",
      "ref: '4294967296' is not a number from 0 to 4294967295");
  has("a > WHO ref=1 channel=x after=\"\" limit=65536", "limit: '65536' is not a number");
  has("a > JOIN ref=-1 channel=x", "ref: '-1' is not a number");
  has("a > JOIN ref=1 channel=\"x\"*256", "channel: 256 bytes, more than its length prefix");
  has("a > JOIN ref=1 channel=[a]", "channel: expected one value, not a list");
  has("a > JOIN ref=1 channel=", "channel: missing value");
  has("a > JOIN ref=1 channel=a\"b", "channel: a quote inside a bare value");
  has("a > JOIN ref=1 channel=\"a\"b", "channel: text right after the value");
  has("a > JOIN ref=1 channel=*", "channel: * only in what a client expects");
  has("a > JOIN ref=1 *", "a lone * only in what a client expects");
  has("a > JOIN ref=1 channel", "expected FIELD=VALUE at 'channel'");
  has("a < JOIN ref=1 channel=x", "the server never sends JOIN");
  has("a < REPLY ref=1 status=maybe text=\"\"", "status: 'maybe' is not ok or refused");
  has("a < PRESENCE channel=c user=u event=gone", "event: 'gone' is not joined, left or dropped");
  has("a < REPLY ref=1 status=ok", "missing field: text (end with * to leave fields open)");
  has("a < REPLY * ref=1", "a lone * must come after the last field");
  has("a < WHO_REPLY ref=1 channel=c total=1 names=ann next=\"\"", "names: expected a list");
  has("a < WHO_REPLY ref=1 channel=c total=1 names=[a:1] next=\"\"", "entries are names");
  has("a < LIST_REPLY ref=1 total=1 channels=[a] next=\"\"", "entries are NAME:COUNT");
  has("a < LIST_REPLY ref=1 total=1 channels=[a:1 next=\"\"", "expected , or ] in the list");
  has("a << MSG channel=c sender=* text=hi offset=*", "<< compares whole frames");
  has("a > MSG ref=1 channel=c text=@", "@ stands only for a JOIN's epoch and offset");
  has("a > JOIN ref=1 channel=c mode=since epoch=@ offset=@ count=@", "@ stands only for");
  has("a << SAME_ORDER_AS", "expected 'NAME << SAME_ORDER_AS OTHER'");
}

// A runner against a real node. Steps that must arrive get seconds (a sanitizer build on a busy
// 2-core machine needs more than 300 ms for connect + LOGIN); the tests of the timeout itself
// pass a short one so that they fail quickly.
class ScenarioRunnerTest : public ::testing::Test {
protected:
  std::string run(const std::string& text,
                  std::chrono::milliseconds step_timeout = std::chrono::seconds(5)) {
    std::string failure;
    { // the runner's clients close as it goes
      chat::scenario_runner runner{node.system(), node.io(), "127.0.0.1", node.port(),
                                   step_timeout};
      failure = runner.run(parse_ok(text));
    }
    EXPECT_TRUE(names_released()) << "the script's names were still held 5 s after it ended";
    return failure;
  }
  // A script's clients are closed with its runner, but the server learns of it a little later;
  // the next script of the same test may log in the same names.
  bool names_released() {
    caf::scoped_actor self{node.system()};
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      uint64_t held = 1;
      self->request(node.server().roster(), std::chrono::seconds(1), chat::count_atom_v)
          .receive([&](uint64_t n) { held = n; }, [](caf::error&) {});
      if (held == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
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

TEST_F(ScenarioRunnerTest, Version2FieldsThatDifferAreNamed) {
  EXPECT_EQ(run("ann > HELLO version=2 | ann < HELLO version=3 *"),
            "line 1: ann < HELLO version=3 *: got HELLO version=2 "
            "features=\"channels,direct,presence,history\" max_frame=65536 max_channel_name=64 "
            "max_channels_per_user=100 max_channel_members=0 page_size=100 "
            "max_message_rate_milli=10000 -- version: 2, want 3");
  EXPECT_EQ(run("ann > HELLO version=2 | ann < HELLO version=2 features=* *\n"
                "ann > LOGIN ann | ann < LOGIN \"Login OK\"\n"
                "ann > JOIN ref=1 channel=rust | ann < REPLY ref=2 status=refused text=\"\""),
            "line 3: ann < REPLY ref=2 status=refused text=\"\": got REPLY ref=1 status=ok "
            "text=\"\" -- ref: 1, want 2; status: ok, want refused");
}

TEST_F(ScenarioRunnerTest, Version2FramesArePrintedByFieldWhereverTheyFail) {
  EXPECT_EQ(run("ann > HELLO version=2 | ann < HELLO version=2 *\n"
                "ann > LOGIN ann | ann < LOGIN \"Login OK\"\n"
                "ann > JOIN ref=1 channel=rust | ann < REPLY ref=1 status=ok text=\"\""),
            "at the end, ann: unexpected PRESENCE channel=rust user=ann event=joined");
  EXPECT_EQ(run("ann > JOIN ref=1 channel=rust | ann < REPLY ref=1 status=ok text=\"\""),
            "line 1: ann < REPLY ref=1 status=ok text=\"\": got ERROR \"unknown frame type 8\"");
}

TEST_F(ScenarioRunnerTest, BrokenPerSenderOrderOfMessagesFails) {
  auto failure = run("for i in 1..2: c$i > HELLO version=2 | c$i < HELLO version=2 *\n"
                     "for i in 1..2: c$i > LOGIN c$i | c$i < LOGIN \"Login OK\"\n"
                     "c1 > JOIN ref=1 channel=x | c1 < REPLY ref=1 status=ok text=\"\"\n"
                     "c1 < PRESENCE channel=x user=c1 event=joined\n"
                     "c1 > MSG ref=2 channel=x text=one | c1 > MSG ref=3 channel=x text=two\n"
                     "c1 << MSG channel=x sender=c1 text=two offset=* | c1 << MSG channel=x "
                     "sender=c1 text=one offset=*\n");
  EXPECT_EQ(failure, "at the end, c1: got MSG channel=x sender=c1 text=one offset=0 before MSG "
                     "channel=x sender=c1 text=two offset=0");
}

TEST_F(ScenarioRunnerTest, SameOrderComparesWhatTwoClientsTook) {
  auto failure = run("ann > LOGIN ann | ann < LOGIN \"Login OK\"\n"
                     "bob > LOGIN bob | bob < LOGIN \"Login OK\"\n"
                     "ann > BROADCAST_MSG one | ann > BROADCAST_MSG two\n"
                     "ann << BROADCAST_MSG \"ann: one\" | ann << BROADCAST_MSG \"ann: two\"\n"
                     "bob << BROADCAST_MSG \"ann: one\"\n"
                     "bob << SAME_ORDER_AS ann\n");
  EXPECT_EQ(failure, "line 6: bob << SAME_ORDER_AS ann: took 1 frames by <<, ann 2");
  EXPECT_EQ(run("ann > LOGIN ann | ann < LOGIN \"Login OK\"\n"
                "bob > LOGIN bob | bob < LOGIN \"Login OK\"\n"
                "ann > BROADCAST_MSG one | ann > BROADCAST_MSG two\n"
                "ann << BROADCAST_MSG \"ann: one\" | ann << BROADCAST_MSG \"ann: two\"\n"
                "bob << BROADCAST_MSG \"ann: one\" | bob << BROADCAST_MSG \"ann: two\"\n"
                "bob << SAME_ORDER_AS ann | ann << SAME_ORDER_AS bob\n"),
            "");
}

TEST_F(ScenarioRunnerTest, UnreachableServerIsReported) {
  chat::scenario_runner runner{node.system(), node.io(), "127.0.0.1", 1,
                               std::chrono::milliseconds(300)};
  auto failure = runner.run(parse_ok("ann > LOGIN ann | ann < LOGIN \"Login OK\""));
  EXPECT_NE(failure.find("cannot connect"), std::string::npos) << failure;
}

} // namespace
