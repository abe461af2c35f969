// commands.hpp -- what chat-client does with each typed line: the slash commands (/join, /part,
// /msg, /who, /list, /history, /paste, /echo, /ping, /help, /quit) and plain lines, which go to the
// current channel. Called by run_chat (chat_session.cpp) on the thread that reads the console.
#pragma once

#include "apps/chat-client/console.hpp"
#include "apps/chat-client/frame_printer.hpp"
#include "apps/client/client.hpp"

#include <set>
#include <string>

namespace chat {

// The channels this chat-client is in and the one plain lines go to. Only the console's
// reading thread touches it.
struct chat_place {
  std::string user;
  std::string current;          // "" when in no channel: plain lines are then broadcasts
  std::set<std::string> joined; // what our own /join and /part made of it
};

// "ann #rust> ", or "ann> " in no channel.
std::string prompt_for(const chat_place& place);

// Handles one typed line; false when the user wants to leave. Results and refusals are
// printed through `term` ("! no such user"), never thrown.
bool handle_line(const std::string& line, client& c, console& term, chat_place& place,
                 const print_style& style);

// After login: into the default channel, which becomes the current one. False (and a "!" line)
// when the server refuses, e.g. a server without version 2.
bool enter_default_channel(client& c, console& term, chat_place& place, const print_style& style);

} // namespace chat
