// malformed_input_test.cpp -- one table of malformed inputs, each sent over a raw socket to its
// own chat-server: the documented answer (PROTOCOL.md), the documented close or no close, a log
// line where the server must log, and afterwards a well-behaved member that logged in before the
// row still broadcasts and hears its own broadcast (and nothing else), and the server lives.
#include "tests/process/reliability_support.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace chat::reliability;

// What the connection does after the row's replies.
enum class then {
  stays_open,       // a SEND_MSG afterwards is still echoed
  closes,           // the server closes in an orderly way (FIN), nothing after the replies
  closes_or_resets, // the same, but the server may not have read all we sent: FIN or RST
  client_hangs_up,  // we close right after sending; there is no reply to read
};

struct malformed_row {
  std::string name;        // the test's name: CamelCase, letters and digits only
  std::string login_first; // when set, the row's client logs in as this before sending `bytes`
  std::string bytes;       // sent at once
  std::vector<frame> replies;
  then after = then::stays_open;
  std::string log_line; // when set, the server's stderr (--log-level=info) must come to hold it
};

// gtest prints parameters of failed tests; the bytes of a 1 MiB row are not worth printing.
void PrintTo(const malformed_row& row, std::ostream* out) {
  *out << row.name << " (" << row.bytes.size() << " bytes)";
}

frame error_frame(std::string text) {
  return {type::error, std::move(text)};
}
frame login_reply(std::string text) {
  return {type::login, std::move(text)};
}

// 1 MiB from a seeded mt19937 (its output sequence is fixed by the standard), four bytes of
// each 32-bit output, little-endian. The first four bytes are therefore the first output.
std::string random_mebibyte(uint32_t seed) {
  std::mt19937 gen{seed};
  std::string out;
  out.reserve(1 << 20);
  while (out.size() < (1u << 20)) {
    auto word = static_cast<uint32_t>(gen());
    for (int i = 0; i < 4; ++i)
      out += static_cast<char>((word >> (8 * i)) & 0xFF);
  }
  return out;
}

// The one ERROR a stream starting with these bytes gets: its first length decides.
std::string expected_violation(const std::string& bytes) {
  uint32_t raw = 0;
  for (int i = 0; i < 4; ++i)
    raw |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
  auto body_len = static_cast<int32_t>(raw);
  if (body_len < 1) return "bad frame length";
  if (body_len > default_max_frame) return "frame too large";
  return {}; // a plausible first frame: this seed cannot be judged by its first length alone
}

malformed_row random_row(uint32_t seed) {
  malformed_row row;
  row.bytes = random_mebibyte(seed);
  auto violation = expected_violation(row.bytes);
  row.name = "RandomMebibyteSeed" + std::to_string(seed) +
             (violation == "bad frame length" ? "BadLength" : "TooLarge");
  row.replies = {error_frame(violation)};
  row.after = then::closes_or_resets;
  row.log_line = "reason=\"" + violation + "\"";
  return row;
}

malformed_row unknown_type_row(int t) {
  return {"UnknownType" + std::to_string(t),
          "",
          encode(static_cast<uint8_t>(t), "what is this"),
          {error_frame("unknown frame type " + std::to_string(t))},
          then::stays_open,
          ""};
}

malformed_row name_row(std::string name, std::string login_name, std::string reason) {
  return {std::move(name),
          "",
          encode(type::login, login_name),
          {login_reply("Login failed: " + reason)},
          then::stays_open,
          ""};
}

std::vector<malformed_row> malformed_rows() {
  const std::string max_payload(default_max_frame - 1, 'm'); // body = type + payload = max-frame
  const std::string too_long = std::string(33, 'n');
  const std::string utf8_32 = [] { // 16 x U+00E9: 16 characters, 32 bytes: the byte count rules
    std::string s;
    for (int i = 0; i < 16; ++i)
      s += "\xC3\xA9";
    return s;
  }();
  const std::string white = "name has leading or trailing white space";
  const std::string control = "name contains control characters";

  std::vector<malformed_row> rows = {
      // -- lengths: one ERROR, then the server closes; it never resynchronises
      {"ZeroLength",
       "",
       length_prefix(0),
       {error_frame("bad frame length")},
       then::closes,
       "reason=\"bad frame length\""},
      {"NegativeLengthMinusOne",
       "",
       length_prefix(-1),
       {error_frame("bad frame length")},
       then::closes,
       "reason=\"bad frame length\""},
      {"NegativeLengthInt32Min",
       "",
       length_prefix(INT32_MIN),
       {error_frame("bad frame length")},
       then::closes,
       "reason=\"bad frame length\""},
      {"HugeLength7FFFFFFF",
       "",
       length_prefix(0x7FFFFFFF),
       {error_frame("frame too large")},
       then::closes,
       "reason=\"frame too large\""},
      {"MaxFramePlusOneHeaderOnly",
       "",
       length_prefix(default_max_frame + 1),
       {error_frame("frame too large")},
       then::closes,
       "reason=\"frame too large\""},
      {"MaxFramePlusOneWholeFrame",
       "",
       encode(type::send_msg, max_payload + "m"),
       {error_frame("frame too large")},
       then::closes_or_resets,
       "reason=\"frame too large\""},
      // A frame of exactly --max-frame is taken, but its echo would be 6 bytes longer than any
      // frame the server sends: it is answered with ERROR, and the connection stays.
      {"ExactlyMaxFrameIsTakenButTooLongToEcho",
       "",
       encode(type::send_msg, max_payload),
       {error_frame("message too long")},
       then::stays_open,
       ""},
      {"LongestEchoableTextIsEchoedAtExactlyMaxFrame",
       "",
       encode(type::send_msg, max_payload.substr(6)),
       {{type::send_msg, "Echo: " + max_payload.substr(6)}},
       then::stays_open,
       ""},
      {"ValidFrameThenZeroLength",
       "",
       encode(type::send_msg, "before") + length_prefix(0),
       {{type::send_msg, "Echo: before"}, error_frame("bad frame length")},
       then::closes,
       "reason=\"bad frame length\""},
      // -- truncated frames: the client hangs up; the server logs it and drops the connection
      {"TruncatedHeaderThenClose",
       "",
       length_prefix(16).substr(0, 2),
       {},
       then::client_hangs_up,
       "reason=\"peer closed mid-frame\""},
      {"TruncatedBodyThenClose",
       "",
       encode(type::send_msg, "0123456789abcdef").substr(0, 12),
       {},
       then::client_hangs_up,
       "reason=\"peer closed mid-frame\""},
      // -- unknown types get ERROR and the connection stays
      unknown_type_row(0),
      unknown_type_row(7),
      unknown_type_row(63),
      unknown_type_row(64),
      unknown_type_row(127),
      unknown_type_row(128),
      unknown_type_row(255),
      {"ValidUnknownValidInOneSend",
       "",
       encode(type::send_msg, "a") + encode(200, "") + encode(type::send_msg, "b"),
       {{type::send_msg, "Echo: a"},
        error_frame("unknown frame type 200"),
        {type::send_msg, "Echo: b"}},
       then::stays_open,
       ""},
      // -- invalid UTF-8: ERROR, the frame is dropped, the connection stays
      {"InvalidUtf8SendMsg",
       "",
       encode(type::send_msg, "bad \xC3\x28 bytes \xFF"),
       {error_frame("invalid UTF-8")},
       then::stays_open,
       ""},
      {"InvalidUtf8BroadcastMsg",
       "sender",
       encode(type::broadcast_msg, "bad \xED\xA0\x80 half"),
       {error_frame("invalid UTF-8")},
       then::stays_open,
       ""},
      // -- names (messages/login_name.cpp has the reasons)
      name_row("NameEmpty", "", "empty name"),
      name_row("NameOf33Bytes", too_long, "name too long (at most 32 bytes)"),
      name_row("NameOf33BytesMultibyte", utf8_32 + "x", "name too long (at most 32 bytes)"),
      name_row("NameWhiteSpaceOnly", "   ", white),
      name_row("NameLeadingSpace", " ann", white),
      name_row("NameTrailingSpace", "ann ", white),
      name_row("NameLeadingIdeographicSpace",
               "\xE3\x80\x80"
               "ann",
               white),
      name_row("NameTrailingNoBreakSpace", "ann\xC2\xA0", white),
      name_row("NameControlCharacter", "an\x01n", control),
      name_row("NameTab", "an\tn", control),
      name_row("NameDel", "an\x7Fn", control),
      name_row("NameC1Control", "an\xC2\x85n", control),
      {"NameInvalidUtf8",
       "",
       encode(type::login, "an\xFFn"),
       {error_frame("invalid UTF-8"), login_reply("Login failed: name is not valid UTF-8")},
       then::stays_open,
       ""},
      {"NameTruncatedMultibyte",
       "",
       encode(type::login, "ann\xE3\x80"),
       {error_frame("invalid UTF-8"), login_reply("Login failed: name is not valid UTF-8")},
       then::stays_open,
       ""},
      {"NameOf32BytesIsAccepted",
       "",
       encode(type::login, utf8_32),
       {login_reply("Login OK")},
       then::stays_open,
       ""},
      name_row("NameTaken", "witness", "name taken"),
      // -- order of the session's rules
      {"LoginTwiceInOneSend",
       "",
       encode(type::login, "first") + encode(type::login, "second"),
       {login_reply("Login OK"), login_reply("Login failed: already logged in as first")},
       then::stays_open,
       ""},
      {"LoginAgainAfterLoginOk",
       "again",
       encode(type::login, "other"),
       {login_reply("Login failed: already logged in as again")},
       then::stays_open,
       ""},
      {"BroadcastBeforeLogin",
       "",
       encode(type::broadcast_msg, "sneaky"),
       {error_frame("login first")},
       then::stays_open,
       ""},
      {"ClientErrorFrameIsNotAnswered",
       "",
       encode(type::error, "client complaint"),
       {},
       then::stays_open,
       ""},
      // -- garbage
      random_row(1),
      random_row(5489),
  };
  return rows;
}

class MalformedInputTest : public testing::TestWithParam<malformed_row> {};

TEST_P(MalformedInputTest, GetsTheDocumentedAnswerAndOthersAreUnaffected) {
  const auto& row = GetParam();
  ASSERT_FALSE(row.replies.empty() && row.after != then::stays_open &&
               row.after != then::client_hangs_up && row.log_line.empty())
      << "row " << row.name << " checks nothing";
  if (row.name.rfind("RandomMebibyte", 0) == 0) {
    ASSERT_FALSE(row.replies[0].payload.empty()) << "pick another seed: " << row.name;
  }

  server_process server{{"--log-level=info", "--shutdown-timeout=2s"}};
  ASSERT_TRUE(server.started()) << server.describe();
  raw_client witness{server.port()};
  ASSERT_TRUE(log_in(witness, "witness")) << server.describe();

  {
    raw_client c{server.port()};
    ASSERT_TRUE(c.connected()) << c.failure();
    if (!row.login_first.empty()) {
      ASSERT_TRUE(log_in(c, row.login_first));
    }

    if (row.after == then::closes_or_resets) {
      // The server stops reading at the violation, so the rest may never be taken.
      c.send_until_refused(row.bytes, 2s);
    } else {
      ASSERT_TRUE(c.send_bytes(row.bytes)) << c.failure();
    }

    if (row.after == then::client_hangs_up) {
      c.close();
    } else {
      for (std::size_t i = 0; i < row.replies.size(); ++i)
        EXPECT_TRUE(next_frame_is(c, row.replies[i])) << "reply " << i;
      switch (row.after) {
      case then::stays_open:
        ASSERT_TRUE(c.send_frame(type::send_msg, "still here")) << c.failure();
        EXPECT_TRUE(next_frame_is(c, {type::send_msg, "Echo: still here"}))
            << "the connection should have stayed open, with no other reply before this";
        break;
      case then::closes: {
        std::size_t extra = 0;
        auto how = c.wait_closed(io_timeout, &extra);
        EXPECT_EQ(how, raw_client::ending::eof) << c.failure() << " (" << extra << " bytes more)";
        break;
      }
      case then::closes_or_resets: {
        std::size_t extra = 0;
        auto how = c.wait_closed(io_timeout, &extra);
        EXPECT_TRUE(how == raw_client::ending::eof || how == raw_client::ending::reset)
            << c.failure() << " (" << extra << " bytes more)";
        break;
      }
      case then::client_hangs_up:
        break;
      }
    }
    if (!row.log_line.empty()) {
      EXPECT_TRUE(server.wait_for_log(row.log_line, io_timeout))
          << "no log line with " << row.log_line << '\n'
          << server.describe();
    }
  }

  // Another member, logged in before the row, is unaffected: its broadcast reaches it, and it is
  // the next frame it sees (nothing of the row was broadcast to it).
  ASSERT_TRUE(witness.send_frame(type::broadcast_msg, "still served")) << witness.failure();
  EXPECT_TRUE(next_frame_is(witness, {type::broadcast_msg, "witness: still served"}));
  EXPECT_EQ(::kill(server.pid(), 0), 0);
  EXPECT_TRUE(process_alive(server.pid())) << server.describe();

  witness.close();
  auto stopped = server.stop();
  EXPECT_TRUE(stopped.status.exited_with(0)) << stopped.status << '\n' << server.describe();
}

INSTANTIATE_TEST_SUITE_P(Table, MalformedInputTest, testing::ValuesIn(malformed_rows()),
                         [](const testing::TestParamInfo<malformed_row>& info) {
                           return info.param.name;
                         });

TEST(MalformedInputTableTest, HasAtLeastFifteenRowsWithDistinctNames) {
  auto rows = malformed_rows();
  EXPECT_GE(rows.size(), 15u);
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t j = i + 1; j < rows.size(); ++j)
      EXPECT_NE(rows[i].name, rows[j].name);
}

} // namespace
