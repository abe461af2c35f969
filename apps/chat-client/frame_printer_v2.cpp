// frame_printer_v2.cpp -- the lines of protocol version 2: channel and direct messages,
// presence, the answers to requests, and the server's HELLO. Every field a peer chose is
// escaped before it is painted.
#include "apps/chat-client/frame_printer.hpp"

#include <ctime>
#include <variant>

namespace chat {

namespace {

using namespace printer_detail;

std::string tag(const std::string& channel, const print_style& style) {
  return paint(yellow, "#" + escape_control(channel), style.color);
}

// "channels,direct,presence" as the server said it, escaped.
std::string hello_line(const v2::hello_reply& h, const print_style& style) {
  return note_line("server speaks version " + std::to_string(h.version) + " (" +
                       escape_control(h.features) + ")",
                   style);
}

std::string reply_line(const v2::reply& r, const print_style& style) {
  if (r.result != v2::status::ok) return error_line(escape_control(r.text), style);
  return note_line(r.text.empty() ? "ok" : escape_control(r.text), style);
}

// The decoded value printed with `print`; a payload that did not decode is shown as the
// decoder's reason, never trusted.
template <class T, class Print>
std::string decoded_line(v2::decoded<T> decoded, const print_style& style, Print print) {
  if (auto* value = std::get_if<T>(&decoded)) return print(*value);
  return error_line(escape_control(std::get<std::string>(decoded)), style);
}

} // namespace

std::string channel_line(const std::string& channel, const std::string& sender,
                         const std::string& text, const print_style& style) {
  return tag(channel, style) + " " + name(sender, style) + ": " + escape_message(text);
}

std::string direct_line(const std::string& sender, const std::string& text,
                        const print_style& style) {
  return paint(magenta, "[dm]", style.color) + " " + name(sender, style) + ": " +
         escape_message(text);
}

std::string direct_sent_line(const std::string& to, const std::string& text,
                             const print_style& style) {
  return paint(magenta, "[dm -> ", style.color) + name(to, style) +
         paint(magenta, "]", style.color) + " " + escape_message(text);
}

std::string presence_line(const std::string& channel, const std::string& user,
                          v2::presence_kind kind, const print_style& style) {
  auto who = escape_control(user);
  auto where = "#" + escape_control(channel);
  switch (kind) {
  case v2::presence_kind::joined:
    return note_line(who + " joined " + where, style);
  case v2::presence_kind::left:
    return note_line(who + " left " + where, style);
  case v2::presence_kind::dropped:
    return note_line(who + " dropped from " + where + " (connection lost)", style);
  }
  return note_line(who + " ? " + where, style);
}

std::string who_line(const std::string& channel, uint32_t total,
                     const std::vector<std::string>& names, const std::string& next,
                     const print_style& style) {
  std::string line = "#" + escape_control(channel) + " (" + std::to_string(total) + "):";
  for (auto& n : names)
    line += " " + escape_control(n);
  if (!next.empty()) line += "; more after " + escape_control(next);
  return note_line(line, style);
}

std::string list_line(uint32_t total, const std::vector<v2::channel_count>& channels,
                      const std::string& next, const print_style& style) {
  std::string line = std::to_string(total) + (total == 1 ? " channel:" : " channels:");
  for (auto& c : channels)
    line += " #" + escape_control(c.name) + " (" + std::to_string(c.members) + ")";
  if (!next.empty()) line += "; more after #" + escape_control(next);
  return note_line(line, style);
}

std::string recovery_line(const std::string& channel, const stream_position& position,
                          const print_style& style) {
  auto where = "#" + escape_control(channel);
  auto n = std::to_string(position.replayed);
  switch (position.result) {
  case recovery::not_asked:
    return note_line("talking in " + where, style);
  case recovery::replayed:
    return note_line("recovered " + n + (position.replayed == 1 ? " message" : " messages") +
                         " in " + where,
                     style);
  case recovery::unavailable:
    return note_line(where + " keeps no history: messages sent while away are gone", style);
  case recovery::epoch_changed:
  case recovery::too_old:
  case recovery::future:
    break;
  }
  return error_line("history of " + where + " was lost; showing the last " + n, style);
}

std::string history_lines(const std::string& channel, const history_page& page,
                          const print_style& style) {
  auto n = page.entries.size();
  std::string out = note_line("#" + escape_control(channel) + ", " + std::to_string(n) +
                                  (n == 1 ? " kept message:" : " kept messages:"),
                              style);
  for (auto& e : page.entries) {
    std::time_t seconds = e.time_ms / 1000;
    std::tm local{};
    localtime_r(&seconds, &local);
    char clock[8];
    std::strftime(clock, sizeof clock, "%H:%M", &local);
    out += "\n  " + printer_detail::paint(printer_detail::dim, clock, style.color) + " " +
           printer_detail::name(e.sender, style) + ": " + escape_control(e.text);
  }
  if (page.next_before != 0) out += "\n" + note_line("older messages are kept too", style);
  return out;
}

namespace printer_detail {

std::string v2_line(const inbound_frame& f, const print_style& style) {
  auto& s = style;
  switch (static_cast<v2::type>(f.type)) {
  case v2::type::hello:
    return decoded_line(v2::decode_hello_reply(f.payload), s,
                        [&](auto& h) { return hello_line(h, s); });
  case v2::type::reply:
    return decoded_line(v2::decode_reply(f.payload), s, [&](auto& r) { return reply_line(r, s); });
  case v2::type::msg:
    return decoded_line(v2::decode_msg_delivery(f.payload), s,
                        [&](auto& m) { return channel_line(m.channel, m.sender, m.text, s); });
  case v2::type::dm:
    return decoded_line(v2::decode_dm_delivery(f.payload), s,
                        [&](auto& d) { return direct_line(d.sender, d.text, s); });
  case v2::type::presence:
    return decoded_line(v2::decode_presence_event(f.payload), s,
                        [&](auto& e) { return presence_line(e.channel, e.user, e.kind, s); });
  case v2::type::who_reply:
    return decoded_line(v2::decode_who_reply(f.payload), s,
                        [&](auto& w) { return who_line(w.channel, w.total, w.names, w.next, s); });
  case v2::type::list_reply:
    return decoded_line(v2::decode_list_reply(f.payload), s,
                        [&](auto& l) { return list_line(l.total, l.channels, l.next, s); });
  case v2::type::joined:
    return decoded_line(v2::decode_joined_reply(f.payload), s,
                        [&](auto& j) { return recovery_line(j.channel, j.position, s); });
  case v2::type::history_reply:
    return decoded_line(v2::decode_history_reply(f.payload), s,
                        [&](auto& h) { return history_lines(h.channel, h.page, s); });
  default: // a request type (the server never sends one) or one reserved for later
    auto text = escape_control(f.payload);
    return note_line(frame_type_name(f.type) + (text.empty() ? "" : " " + text), s);
  }
}

} // namespace printer_detail

} // namespace chat
