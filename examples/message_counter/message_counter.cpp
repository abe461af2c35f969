#include "examples/message_counter/message_counter.hpp"

#include "messages/errors.hpp"

#include <spdlog/spdlog.h>

#include <string_view>

namespace chat {

namespace {

constexpr std::string_view count_command = "!count";
constexpr std::string_view stop_command = "!stop-counting";

void say(message_counter_ptr self, const counted_channel& ch, std::string text) {
  // Until the join's reply comes there is no handle; a command that early goes unanswered.
  if (ch.handle)
    self->send(*ch.handle, post_atom_v, std::string{message_counter_name}, std::move(text));
}

// Detaching, in the order that leaves nothing behind: unobserve (the channel may then retire
// once it has no member either), leave (presence "left" for the others), forget the channel.
// Events already on their way to us are dropped by on_event, which no longer knows the name.
void detach(message_counter_ptr self, const std::string& name) {
  auto i = self->state.channels.find(name);
  self->send(self->state.directory, unobserve_atom_v, name, channel_observer{self});
  if (i->second.handle)
    self->send(*i->second.handle, leave_atom_v, std::string{message_counter_name});
  self->state.channels.erase(i);
  spdlog::info("message_counter stopped counting {}", name);
}

void on_event(message_counter_ptr self, const channel_event& e) {
  auto i = self->state.channels.find(e.channel);
  if (i == self->state.channels.end()) return; // detached from it; this was still on its way
  if (e.what != channel_event::kind::message || e.user == message_counter_name) return;
  auto& ch = i->second;
  if (e.text == count_command) {
    say(self, ch, std::to_string(ch.messages) + " messages in #" + e.channel + " since I came");
  } else if (e.text == stop_command) {
    say(self, ch,
        "stopped counting #" + e.channel + " after " + std::to_string(ch.messages) + " messages");
    detach(self, e.channel);
  } else {
    ++ch.messages;
  }
}

void fail(message_counter_ptr self, const std::string& what, caf::error err) {
  spdlog::error("message_counter {}: {}", what, self->system().render(err));
  self->quit(std::move(err));
}

// Observe first, then join: the directory forwards both to the channel in the order we sent
// them, so once the bot is listed as a member it is already counting.
void attach(message_counter_ptr self, const std::string& name) {
  self->send(self->state.directory, observe_atom_v, name, channel_observer{self});
  self->request(self->state.directory, message_counter_join_timeout, join_atom_v, name,
                std::string{message_counter_name}, member_actor{self}, true)
      .then(
          [self, name](channel_handle ch) {
            auto i = self->state.channels.find(name);
            if (i != self->state.channels.end())
              i->second.handle = std::move(ch);
            else // told to stop before the join was through: leave now instead
              self->send(ch, leave_atom_v, std::string{message_counter_name});
          },
          [self, name](caf::error& err) { fail(self, "cannot join " + name, std::move(err)); });
}

void login(message_counter_ptr self) {
  self->request(self->state.roster, message_counter_join_timeout, join_atom_v,
                std::string{message_counter_name}, member_actor{self})
      .then(
          [self](caf::ok_atom) {
            for (auto& entry : self->state.channels)
              attach(self, entry.first);
          },
          [self](caf::error& err) { fail(self, "cannot log in", std::move(err)); });
}

} // namespace

bot_actor::behavior_type message_counter(message_counter_ptr self, roster_actor roster,
                                         directory_actor directory,
                                         std::vector<std::string> channels) {
  auto& st = self->state;
  st.roster = std::move(roster);
  st.directory = std::move(directory);
  for (auto& name : channels)
    st.channels.emplace(std::move(name), counted_channel{});
  self->monitor(st.roster);
  self->set_down_handler([self](const caf::down_msg&) { self->quit(); }); // no server, no bot
  login(self);
  return {
      [self](event_atom, const channel_event& e) { on_event(self, e); },
      [](deliver_atom, const frame_batch&) {}, // the same events, encoded: read above instead
      [self](evict_atom) { self->quit(); },    // our name went to an earlier holder elsewhere
      [](direct_atom, const std::string&, const std::string&,
         const std::string&) -> caf::result<caf::ok_atom> {
        return make_error(errc::no_direct, message_counter_name);
      },
  };
}

} // namespace chat
