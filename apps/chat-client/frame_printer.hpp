// frame_printer.hpp -- every server frame (versions 1 and 2) and chat-client's command results
// as one readable terminal line. Pure; used by chat-client's callbacks and commands. Control
// bytes are escaped, so a peer's text can never move the cursor or recolour the terminal.
#pragma once

#include "messages/frame.hpp"
#include "messages/protocol_v2.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace chat {

// How a line is dressed: colours only for a terminal; the user's own name stands out.
struct print_style {
  bool color = false;
  std::string own_name;
};

// Version 1: "ann: hi" for broadcasts, "Echo: hi" for echoes, "* Login OK", "! login first"
// for errors, "* PING x" and "* TYPE_77 x" for the rest.
// Version 2: "#rust ann: hi", "[dm] bob: psst", "* bob joined #rust", "* ok" or "! reason" for
// a REPLY, "* #rust (3): ann bob cat" for WHO_REPLY, "* 2 channels: #go (1) #rust (3)" for
// LIST_REPLY, "* server speaks version 2 (channels,direct,presence)" for HELLO; a payload that
// does not decode is "! " and the reason.
std::string printable_line(const inbound_frame& f, const print_style& style = {});

// The text with C0 controls, DEL and C1 controls written as \xNN; other UTF-8 passes unchanged.
// In text that is not valid UTF-8, every byte from 0x80 up is written as \xNN too.
std::string escape_control(const std::string& text);
// A message's text as it is shown: each line of a multi-line text (a /paste) on a line of its
// own, indented by four spaces; tabs become four spaces, CR before LF goes; every other control
// is escaped as escape_control does.
std::string escape_message(const std::string& text);

// -- version-2 lines, also for the results of chat-client's commands (frame_printer_v2.cpp) --
std::string channel_line(const std::string& channel, const std::string& sender,
                         const std::string& text, const print_style& style);
std::string direct_line(const std::string& sender, const std::string& text,
                        const print_style& style);
// Our own direct message, once the server has handed it over: "[dm -> bob] psst".
std::string direct_sent_line(const std::string& to, const std::string& text,
                             const print_style& style);
std::string presence_line(const std::string& channel, const std::string& user,
                          v2::presence_kind kind, const print_style& style);
// "* #rust (3): ann bob cat", with "; more after cat" when `next` is not empty.
std::string who_line(const std::string& channel, uint32_t total,
                     const std::vector<std::string>& names, const std::string& next,
                     const print_style& style);
std::string list_line(uint32_t total, const std::vector<v2::channel_count>& channels,
                      const std::string& next, const print_style& style);
// After a reconnect: "* recovered 3 messages in #rust", or "! history of #rust was lost;
// showing the last 20" (docs/PROTOCOL.md "History"), or "* #rust keeps no history: ..."
std::string recovery_line(const std::string& channel, const stream_position& position,
                          const print_style& style);
// /history: "* #rust, 2 kept messages:" then one "  14:03 ann: hi" line per message (local
// time), then "* older messages are kept too" when the page does not reach the oldest.
std::string history_lines(const std::string& channel, const history_page& page,
                          const print_style& style);
// A line of ours: "* text" dimmed, "! text" red.
std::string note_line(const std::string& text, const print_style& style);
std::string error_line(const std::string& text, const print_style& style);

// Shared by frame_printer.cpp and frame_printer_v2.cpp.
namespace printer_detail {
std::string v2_line(const inbound_frame& f, const print_style& style); // types 7..63
std::string paint(const char* colour, const std::string& text, bool on);
std::string name(const std::string& name, const print_style& style); // escaped and coloured
inline constexpr const char* bold_green = "\033[1;32m";
inline constexpr const char* bold_cyan = "\033[1;36m";
inline constexpr const char* yellow = "\033[33m";
inline constexpr const char* magenta = "\033[35m";
inline constexpr const char* red = "\033[31m";
inline constexpr const char* dim = "\033[2m";
inline constexpr const char* reset = "\033[0m";
} // namespace printer_detail

} // namespace chat
