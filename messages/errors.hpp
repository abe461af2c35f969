// errors.hpp -- refusals between actors, as caf::error values in the "chat" category.
// Returned by the roster, directory and channels, and rendered by apps through add_error_category.
#pragma once

#include <caf/all.hpp>

#include <cstdint>
#include <string>

namespace chat {

enum class errc : uint8_t {
  none = 0,
  name_taken,          // join: another member holds the name
  already_joined,      // join: this member holds a name already
  refused,             // the server answered a client's request with a refusal or an ERROR
  not_connected,       // a client request while there is no connection
  closed,              // the connection ended before the answer came
  no_such_user,        // direct: nobody holds that name
  no_direct,           // direct: the user's client cannot take direct messages (version 1)
  no_such_channel,     // who: no channel of that name exists
  channel_full,        // join: the channel has --max-channel-members members
  too_many_channels,   // join: the server holds --max-channels channels
  no_history,          // history: the channel keeps none (a clustered server, for now)
  too_long_for_client, // direct: longer than the recipient's client takes (no multi-part)
};

inline constexpr caf::atom_value error_category = caf::atom("chat");

const char* to_string(errc x);

inline caf::error make_error(errc x, std::string context = {}) {
  return {static_cast<uint8_t>(x), error_category,
          context.empty() ? caf::message{} : caf::make_message(std::move(context))};
}

// For actor_system_config::add_error_category, so sys.render(e) reads "chat: name taken".
std::string render_error(uint8_t code, caf::atom_value, const caf::message& context);

} // namespace chat
