// frame_printer.hpp -- turns a frame from the server into one readable terminal line.
// Pure; used by chat-client's observer actor. Control bytes are escaped, so a peer's text
// can never move the cursor or recolour the terminal.
#pragma once

#include "messages/frame.hpp"

#include <string>

namespace chat {

// How a line is dressed: colours only for a terminal; the user's own name stands out.
struct print_style {
  bool color = false;
  std::string own_name;
};

// "ann: hi" for broadcasts, "Echo: hi" for echoes, "* Login OK", "! login first" for errors,
// "* PING x" and "* TYPE_77 x" for the rest.
std::string printable_line(const inbound_frame& f, const print_style& style = {});

// The text with C0 controls, DEL and C1 controls written as \xNN; other UTF-8 passes unchanged.
// In text that is not valid UTF-8, every byte from 0x80 up is written as \xNN too.
std::string escape_control(const std::string& text);

} // namespace chat
