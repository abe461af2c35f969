#include "apps/chat-client/client_config.hpp"

#include "messages/errors.hpp"
#include "messages/type_ids.hpp"

namespace chat {

client_config::client_config() {
  opt_group{custom_options_, "global"}
      .add(host, "host,H", "server address (default 127.0.0.1)")
      .add(port, "port,p", "server port (default 7000)")
      .add(name, "name,n", "user name to log in with (required; 1..32 bytes of UTF-8)")
      .add(connect_timeout, "connect-timeout",
           "give up connecting or logging in after this long (default 5s)")
      .add(reply_timeout, "reply-timeout",
           "after standard input ends, wait at most this long for outstanding replies (default 5s)")
      .add(script, "script",
           "run the scenario FILE (the format of tests/scenarios/*.chat) against the server and "
           "exit 0 if every expectation held, 1 with the first unmet one otherwise; no --name "
           "needed")
      .add(reconnect, "reconnect",
           "when the connection is lost, connect again with capped back-off and log in again")
      .add(no_color, "no-color", "never colour the output (colours are only used on a terminal)")
      .add(log_level, "log-level",
           "trace, debug, info, warn, error, critical or off (default warn); logs go to stderr");
  add_message_types<caf::id_block::chat>();
  add_error_category(error_category, render_error);
}

} // namespace chat
