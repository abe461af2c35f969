#include "apps/chat-client/client_config.hpp"

#include "auth/login_credentials.hpp"
#include "auth/token_keys.hpp"
#include "messages/errors.hpp"
#include "messages/type_ids.hpp"

namespace chat {

client_config::client_config() {
  opt_group{custom_options_, "global"}
      .add(host, "host,H", "server address (default 127.0.0.1)")
      .add(port, "port,p", "server port (default 7000)")
      .add(name, "name,n",
           "user name to log in with (required unless --token names it; 1..32 bytes of UTF-8)")
      .add(token, "token",
           "a login token for a server with --auth token (chat-server --issue-token makes one); "
           "its user is the name unless --name is given")
      .add(token_file, "token-file", "read the login token from this file instead of --token")
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
      .add(udp, "udp",
           "talk to the server's UDP endpoint (chat-server --udp-port) instead of TCP: --port is "
           "then that port; datagrams are best effort, so a lost one shows as a request that "
           "timed out")
      .add(tls, "tls",
           "connect over TLS, verifying that the server's certificate is valid and names --host "
           "(a server with --tls-cert)")
      .add(tls_ca, "tls-ca",
           "with --tls: trust the CA certificates in this PEM file (default: the system's)")
      .add(insecure, "insecure",
           "with --tls: do not verify the server at all (development only: anyone in the middle "
           "can read and change the chat)")
      .add(no_color, "no-color", "never colour the output (colours are only used on a terminal)")
      .add(log_level, "log-level",
           "trace, debug, info, warn, error, critical or off (default warn); logs go to stderr");
  add_message_types<caf::id_block::chat>();
  add_error_category(error_category, render_error);
}

std::string client_config::resolve_token() {
  if (!token_file.empty()) {
    if (!token.empty()) return "--token and --token-file: give one";
    auto file = auth::read_key_file(token_file);
    if (auto* why = std::get_if<std::string>(&file)) return "--token-file: " + *why;
    token = std::get<auth::key_file>(file).bytes;
  }
  if (!token.empty() && name.empty()) {
    auto sub = auth::unverified_subject(token);
    if (!sub) return "--token: not a token with a sub to take the name from (or give --name)";
    name = *sub;
  }
  return {};
}

std::string client_config::resolve_tls() {
  if (!tls) return tls_ca.empty() && !insecure ? "" : "--tls-ca and --insecure need --tls";
  if (udp) return "--udp and --tls: give one (the UDP endpoint has no TLS)";
  if (insecure && !tls_ca.empty()) return "--insecure and --tls-ca: give one";
  auto made = transport::make_client_tls_context({tls_ca, insecure});
  if (auto* why = std::get_if<std::string>(&made)) return *why;
  tls_context = std::get<transport::tls_context_ptr>(std::move(made));
  return {};
}

} // namespace chat
