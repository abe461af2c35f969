// frame_printer_test.cpp -- chat-client's terminal lines for each frame type, control bytes
// escaped.
#include "apps/chat-client/frame_printer.hpp"

#include "messages/frame.hpp"

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
