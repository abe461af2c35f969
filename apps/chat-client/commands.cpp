#include "apps/chat-client/commands.hpp"

#include "messages/channel_name.hpp"

#include "messages/utf8.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

namespace chat {

namespace {

constexpr const char* help_text = "* commands:\n"
                                  "*   /join #CHANNEL     join a channel and talk there\n"
                                  "*   /part [#CHANNEL]   leave a channel (the current one)\n"
                                  "*   /msg NAME TEXT     a direct message to NAME alone\n"
                                  "*   /who [#CHANNEL]    who is in a channel (the current one)\n"
                                  "*   /list              every channel, with its members\n"
                                  "*   /history [N]       the last N messages of the current "
                                  "channel (default 20)\n"
                                  "*   /paste FILE        FILE's text as one message to the "
                                  "current channel\n"
                                  "*   /echo TEXT         the server echoes TEXT to you alone\n"
                                  "*   /ping              round-trip time to the server\n"
                                  "*   /help              this list\n"
                                  "*   /quit              leave (or Ctrl-D)\n"
                                  "* any other line goes to the current channel, shown in the "
                                  "prompt; the # is optional";

// "#rust" and "rust" name the same channel; on the wire it has no '#'.
std::string channel_arg(const std::string& arg) {
  return !arg.empty() && arg[0] == '#' ? arg.substr(1) : arg;
}

// The command word and the rest of the line after one space.
std::pair<std::string, std::string> split(const std::string& line) {
  auto space = line.find(' ');
  if (space == std::string::npos) return {line, {}};
  return {line.substr(0, space), line.substr(space + 1)};
}

void join(const std::string& arg, client& c, console& term, chat_place& place,
          const print_style& style) {
  auto channel = channel_arg(arg);
  if (channel.empty()) return term.print(error_line("usage: /join #CHANNEL", style));
  auto r = c.join(channel);
  if (!r)
    return term.print(error_line("cannot join #" + escape_control(channel) + ": " + r.text, style));
  place.joined.insert(channel);
  place.current = channel;
  term.set_prompt(prompt_for(place));
  // Our own presence line says we joined; a channel we were in already says nothing.
  if (!r.text.empty()) term.print(note_line("talking in #" + escape_control(channel), style));
}

void part(const std::string& arg, client& c, console& term, chat_place& place,
          const print_style& style) {
  auto channel = arg.empty() ? place.current : channel_arg(arg);
  if (channel.empty()) return term.print(error_line("usage: /part #CHANNEL", style));
  auto r = c.leave(channel);
  if (!r) return term.print(error_line(r.text, style));
  place.joined.erase(channel);
  std::string line = "you left #" + escape_control(channel);
  if (place.current == channel) {
    place.current = place.joined.empty() ? std::string{} : *place.joined.begin();
    term.set_prompt(prompt_for(place));
    line += place.current.empty() ? "; in no channel now (/join one)"
                                  : "; talking in #" + escape_control(place.current);
  }
  term.print(note_line(line, style));
}

void direct(const std::string& arg, client& c, console& term, const print_style& style) {
  auto [to, text] = split(arg);
  if (to.empty() || text.empty()) return term.print(error_line("usage: /msg NAME TEXT", style));
  // Shown once the server has handed it over, so a line on screen means it was delivered.
  c.direct(to, text, [&term, style, to = to, text = text](const client_result& r) {
    if (!r) return term.print(error_line(r.text, style));
    term.print(direct_sent_line(to, text, style));
    if (!r.text.empty()) term.print(note_line(r.text, style)); // "kept until bob logs in"
  });
}

void who(const std::string& arg, client& c, console& term, const chat_place& place,
         const print_style& style) {
  auto channel = arg.empty() ? place.current : channel_arg(arg);
  if (channel.empty()) return term.print(error_line("usage: /who #CHANNEL", style));
  auto r = c.who(channel);
  term.print(r ? who_line(channel, r.total, r.names, r.next, style) : error_line(r.text, style));
}

void list(client& c, console& term, const print_style& style) {
  auto r = c.list();
  term.print(r ? list_line(r.total, r.channels, r.next, style) : error_line(r.text, style));
}

void history(const std::string& arg, client& c, console& term, const chat_place& place,
             const print_style& style) {
  if (place.current.empty()) return term.print(error_line("join a channel first", style));
  int n = 20;
  if (!arg.empty()) {
    try {
      n = std::stoi(arg);
    } catch (const std::exception&) {
      n = 0;
    }
  }
  if (n < 1 || n > 1000) return term.print(error_line("usage: /history [1..1000]", style));
  // Page by page (the server's page size may be smaller than n), newest pages first.
  history_page shown;
  uint64_t before = 0;
  while (shown.entries.size() < static_cast<std::size_t>(n)) {
    auto want = static_cast<uint16_t>(static_cast<std::size_t>(n) - shown.entries.size());
    auto r = c.history(place.current, before, want);
    if (!r) return term.print(error_line(r.text, style));
    shown.epoch = r.page.epoch;
    shown.entries.insert(shown.entries.begin(), r.page.entries.begin(), r.page.entries.end());
    shown.next_before = before = r.page.next_before;
    if (before == 0 || r.page.entries.empty()) break;
  }
  term.print(history_lines(place.current, shown, style));
}

void ping(client& c, console& term, const print_style& style) {
  std::chrono::microseconds rtt{0};
  auto r = c.ping(&rtt);
  term.print(
      r ? note_line("pong in " + std::to_string(rtt.count() / 1000.0).substr(0, 5) + " ms", style)
        : error_line("ping failed: " + r.text, style));
}

// A plain line: to the current channel (its own copy comes back as the proof), or, in no
// channel, a broadcast as version 1 has it.
void say(const std::string& line, client& c, console& term, const chat_place& place,
         const print_style& style) {
  if (place.current.empty()) return c.send(frame_type::broadcast_msg, line);
  c.say(place.current, line, [&term, style](const client_result& r) {
    if (!r) term.print(error_line(r.text, style));
  });
}

// Larger files are refused before a byte is read into memory: far past any server's
// --max-message (1 MiB by default), which has the last word.
constexpr std::uintmax_t max_paste = 16u << 20;

// /paste FILE: the file's text as one message, however many lines and frames it takes (a
// version-3 server gets it in parts; another refuses it if it outgrows a frame).
void paste(const std::string& arg, client& c, console& term, const chat_place& place,
           const print_style& style) {
  if (arg.empty()) return term.print(error_line("usage: /paste FILE", style));
  if (place.current.empty())
    return term.print(error_line("/paste needs a channel: /join one", style));
  std::error_code error;
  auto size = std::filesystem::file_size(arg, error);
  if (error)
    return term.print(
        error_line("cannot paste " + escape_control(arg) + ": " + error.message(), style));
  if (size > max_paste)
    return term.print(error_line(escape_control(arg) + " is larger than 16 MiB", style));
  std::ifstream in{arg, std::ios::binary};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof())
    return term.print(error_line("cannot read " + escape_control(arg), style));
  while (!text.empty() && text.back() == '\n') // the file's last newline ends a line, says nothing
    text.pop_back();
  if (text.empty()) return term.print(error_line(escape_control(arg) + " is empty", style));
  if (!is_valid_utf8(text))
    return term.print(error_line(escape_control(arg) + " is not UTF-8 text", style));
  auto lines = std::count(text.begin(), text.end(), '\n') + 1;
  term.print(note_line("pasting " + escape_control(arg) + ": " + std::to_string(text.size()) +
                           " bytes, " + std::to_string(lines) + (lines == 1 ? " line" : " lines"),
                       style));
  c.say(place.current, text, [&term, style](const client_result& r) {
    if (!r) term.print(error_line("paste not sent: " + r.text, style));
  });
}

} // namespace

std::string prompt_for(const chat_place& place) {
  auto user = escape_control(place.user);
  return place.current.empty() ? user + "> " : user + " #" + escape_control(place.current) + "> ";
}

bool handle_line(const std::string& line, client& c, console& term, chat_place& place,
                 const print_style& style) {
  auto [command, arg] = split(line);
  if (line.empty()) return true;
  if (line[0] != '/') {
    say(line, c, term, place, style);
  } else if (command == "/quit") {
    return false;
  } else if (command == "/help") {
    term.print(help_text);
  } else if (command == "/join") {
    join(arg, c, term, place, style);
  } else if (command == "/part" || command == "/leave") {
    part(arg, c, term, place, style);
  } else if (command == "/msg") {
    direct(arg, c, term, style);
  } else if (command == "/who") {
    who(arg, c, term, place, style);
  } else if (command == "/list") {
    list(c, term, style);
  } else if (command == "/history") {
    history(arg, c, term, place, style);
  } else if (command == "/paste") {
    paste(arg, c, term, place, style);
  } else if (command == "/echo") {
    c.send(frame_type::send_msg, arg);
  } else if (command == "/ping") {
    ping(c, term, style);
  } else {
    term.print(error_line("unknown command " + escape_control(command) + " (try /help)", style));
  }
  return true;
}

bool enter_default_channel(client& c, console& term, chat_place& place, const print_style& style) {
  std::string lobby{default_channel};
  auto r = c.join(lobby);
  if (!r) {
    term.print(error_line("cannot join #" + lobby + ": " + r.text, style));
    return false;
  }
  place.joined.insert(lobby);
  place.current = lobby;
  term.set_prompt(prompt_for(place));
  return true;
}

} // namespace chat
