#include "apps/chat-server/server_config.hpp"

#include "messages/errors.hpp"
#include "messages/type_ids.hpp"

namespace chat {

server_config::server_config() {
  opt_group{custom_options_, "global"}
      .add(host, "host,H", "address to listen on (default 127.0.0.1; 0.0.0.0 for all IPv4)")
      .add(port, "port,p", "TCP port to listen on (default 7000; 0 picks a free port)")
      .add(io_threads, "io-threads", "threads running socket I/O (default 1)")
      .add(max_frame, "max-frame",
           "largest frame body (type byte + payload) accepted, in bytes (default 65536); a larger "
           "one gets ERROR 'frame too large' and the connection is closed")
      .add(max_outbound_bytes, "max-outbound-bytes",
           "bytes queued for one client before it is cut off as a slow consumer (default 1048576)")
      .add(shutdown_timeout, "shutdown-timeout",
           "on SIGINT/SIGTERM, how long clients get to receive what is queued (default 5s)")
      .add(log_level, "log-level",
           "trace, debug, info, warn, error, critical or off (default info); logs go to stderr");
  add_message_types<caf::id_block::chat>();
  add_error_category(error_category, render_error);
}

transport::connection_limits server_config::limits() const {
  transport::connection_limits l;
  l.max_frame = max_frame;
  l.max_outbound_bytes = max_outbound_bytes;
  return l;
}

std::string server_config::validate() const {
  if (io_threads < 1 || io_threads > 64) return "--io-threads must be between 1 and 64";
  if (max_frame < 1 || max_frame > (1u << 30))
    return "--max-frame must be between 1 and 1073741824";
  if (max_outbound_bytes < max_frame + header_size)
    return "--max-outbound-bytes must hold at least one frame of --max-frame bytes";
  return {};
}

} // namespace chat
