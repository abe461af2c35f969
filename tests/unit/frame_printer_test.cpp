// frame_printer_test.cpp -- chat-client's terminal lines for each frame type of versions 1 and 2,
// control bytes escaped, colours only when asked for.
#include "apps/chat-client/frame_printer.hpp"

#include "messages/frame.hpp"
#include "messages/protocol_v2.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>

namespace {

std::string line(chat::frame_type type, std::string payload) {
  return chat::printable_line(chat::inbound_frame{static_cast<uint8_t>(type), std::move(payload)});
}

} // namespace

TEST(FramePrinterTest, BroadcastIsPrintedAsIs) {
  EXPECT_EQ(line(chat::frame_type::broadcast_msg, "ann: hi"), "ann: hi");
}

TEST(FramePrinterTest, SendMsgIsPrintedAsIs) {
  EXPECT_EQ(line(chat::frame_type::send_msg, "Echo: hi"), "Echo: hi");
}

TEST(FramePrinterTest, LoginGetsAStar) {
  EXPECT_EQ(line(chat::frame_type::login, "Login OK"), "* Login OK");
}

TEST(FramePrinterTest, ErrorGetsABang) {
  EXPECT_EQ(line(chat::frame_type::error, "login first"), "! login first");
}

TEST(FramePrinterTest, PingShowsItsName) {
  EXPECT_EQ(line(chat::frame_type::ping, "x"), "* PING x");
}

TEST(FramePrinterTest, UnknownTypeShowsItsNumber) {
  EXPECT_EQ(chat::printable_line(chat::inbound_frame{77, "x"}), "* TYPE_77 x");
}

TEST(FramePrinterTest, EmptyPongHasNoTrailingSpace) {
  EXPECT_EQ(line(chat::frame_type::pong, ""), "* PONG");
}

TEST(FramePrinterTest, PayloadControlBytesAreEscapedInLines) {
  EXPECT_EQ(line(chat::frame_type::broadcast_msg, "ann: \x1b[2J"), "ann: \\x1B[2J");
  EXPECT_EQ(line(chat::frame_type::error, "a\rb"), "! a\\x0Db");
}

TEST(FramePrinterTest, EscapeSequenceIsNeutralised) {
  EXPECT_EQ(chat::escape_control("a\x1b[31mb"), "a\\x1B[31mb");
}

TEST(FramePrinterTest, NewlineIsEscaped) {
  EXPECT_EQ(chat::escape_control("\n"), "\\x0A");
}

// A pasted text keeps its lines: each one under the first, indented, and still escaped.
TEST(FramePrinterTest, MessageLinesGoOnIndentedAndStayEscaped) {
  EXPECT_EQ(chat::escape_message("one\ntwo\r\n\tthree\x1b[2J"),
            "one\n    two\n        three\\x1B[2J");
  EXPECT_EQ(chat::escape_message("trailing\n"), "trailing\n    ");
  EXPECT_EQ(chat::escape_message("a\rb"), "a\\x0Db") << "a lone CR is a control";
  chat::print_style plain;
  EXPECT_EQ(chat::channel_line("rust", "ann", "fn main() {\n}", plain),
            "#rust ann: fn main() {\n    }");
}

TEST(FramePrinterTest, DeleteAndNulAreEscaped) {
  EXPECT_EQ(chat::escape_control(std::string{"\x7F\0", 2}), "\\x7F\\x00");
}

TEST(FramePrinterTest, Utf8PassesUnchanged) {
  EXPECT_EQ(chat::escape_control("\xC3\xA9"), "\xC3\xA9");
  EXPECT_EQ(chat::escape_control("caf\xC3\xA9 \xF0\x9F\x98\x80"), "caf\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST(FramePrinterTest, PrintableAsciiPassesUnchanged) {
  EXPECT_EQ(chat::escape_control(" !~azAZ09"), " !~azAZ09");
}

namespace {

TEST(FramePrinterStyleTest, OwnNameIsGreenOthersCyanOnlyWithColour) {
  chat::print_style style{true, "ann"};
  chat::inbound_frame mine{3, "ann: hi"};
  chat::inbound_frame theirs{3, "bob: hi"};
  EXPECT_EQ(chat::printable_line(mine, style), "\033[1;32mann\033[0m: hi");
  EXPECT_EQ(chat::printable_line(theirs, style), "\033[1;36mbob\033[0m: hi");
  EXPECT_EQ(chat::printable_line(chat::inbound_frame{4, "login first"}, style),
            "\033[31m! login first\033[0m");
  style.color = false;
  EXPECT_EQ(chat::printable_line(mine, style), "ann: hi");
}

TEST(FramePrinterStyleTest, ColourNeverComesFromThePeer) {
  chat::print_style style{true, "ann"};
  // A name part with an escape in it is escaped, then painted: no raw ESC from the peer.
  auto line = chat::printable_line(chat::inbound_frame{3, "x\x1b[2J: boo"}, style);
  EXPECT_EQ(line.find("\x1b[2J"), std::string::npos) << line;
}

} // namespace

// -- version 2 ---------------------------------------------------------------------------------

namespace {

namespace v2 = chat::v2;

template <class T> std::string v2_line(const T& value, const chat::print_style& style = {}) {
  auto f = v2::encode(value);
  auto bytes = chat::bytes(f);
  // The frame's body after its 4-byte length: type byte, then the payload.
  return chat::printable_line(
      chat::inbound_frame{static_cast<uint8_t>(bytes[4]),
                          std::string(bytes.begin() + chat::header_size, bytes.end())},
      style);
}

TEST(FramePrinterV2Test, ChannelMessageIsMarkedWithItsChannel) {
  EXPECT_EQ(v2_line(v2::msg_delivery{"rust", "ann", "hi"}), "#rust ann: hi");
}

TEST(FramePrinterV2Test, DirectMessageIsMarked) {
  EXPECT_EQ(v2_line(v2::dm_delivery{"bob", "psst"}), "[dm] bob: psst");
  EXPECT_EQ(chat::direct_sent_line("bob", "psst", {}), "[dm -> bob] psst");
}

TEST(FramePrinterV2Test, PresenceSaysWhoAndWhere) {
  EXPECT_EQ(v2_line(v2::presence_event{"rust", "bob", v2::presence_kind::joined}),
            "* bob joined #rust");
  EXPECT_EQ(v2_line(v2::presence_event{"rust", "bob", v2::presence_kind::left}),
            "* bob left #rust");
  EXPECT_EQ(v2_line(v2::presence_event{"rust", "bob", v2::presence_kind::dropped}),
            "* bob dropped from #rust (connection lost)");
}

TEST(FramePrinterV2Test, ReplyIsOkOrTheReason) {
  EXPECT_EQ(v2_line(v2::reply{1, v2::status::ok, ""}), "* ok");
  EXPECT_EQ(v2_line(v2::reply{2, v2::status::ok, "already a member"}), "* already a member");
  EXPECT_EQ(v2_line(v2::reply{3, v2::status::refused, "no such user"}), "! no such user");
}

TEST(FramePrinterV2Test, WhoAndListShowTheirPage) {
  EXPECT_EQ(v2_line(v2::who_reply{1, "rust", 3, {"ann", "bob", "cat"}, ""}),
            "* #rust (3): ann bob cat");
  EXPECT_EQ(v2_line(v2::who_reply{1, "rust", 3, {"ann"}, "ann"}),
            "* #rust (3): ann; more after ann");
  EXPECT_EQ(v2_line(v2::list_reply{1, 2, {{"go", 1}, {"rust", 3}}, ""}),
            "* 2 channels: #go (1) #rust (3)");
}

TEST(FramePrinterV2Test, HelloNamesVersionAndFeatures) {
  EXPECT_EQ(v2_line(v2::hello_reply{2, "channels,direct,presence", {}}),
            "* server speaks version 2 (channels,direct,presence)");
}

TEST(FramePrinterV2Test, MalformedPayloadIsShownAsItsReasonNotTrusted) {
  auto l = chat::printable_line(chat::inbound_frame{static_cast<uint8_t>(v2::type::msg), "\x05"});
  EXPECT_EQ(l.rfind("! malformed MSG", 0), 0u) << l;
}

TEST(FramePrinterV2Test, EveryFieldAPeerChoseIsEscaped) {
  EXPECT_EQ(v2_line(v2::msg_delivery{"r\x1b", "a\x1b", "t\x1b[2J"}), "#r\\x1B a\\x1B: t\\x1B[2J");
  EXPECT_EQ(v2_line(v2::presence_event{"c", "b\n", v2::presence_kind::joined}),
            "* b\\x0A joined #c");
}

TEST(FramePrinterV2Test, ColoursOnlyOnATerminalAndOwnNameGreen) {
  chat::print_style style{true, "ann"};
  EXPECT_EQ(v2_line(v2::msg_delivery{"rust", "ann", "hi"}, style),
            "\033[33m#rust\033[0m \033[1;32mann\033[0m: hi");
  EXPECT_EQ(v2_line(v2::dm_delivery{"bob", "psst"}, style),
            "\033[35m[dm]\033[0m \033[1;36mbob\033[0m: psst");
  EXPECT_EQ(v2_line(v2::msg_delivery{"rust", "ann", "hi"}), "#rust ann: hi");
}

} // namespace
