#include "apps/chat-server/server_config.hpp"

#include "messages/channel_name.hpp"
#include "messages/errors.hpp"
#include "messages/login_name.hpp"
#include "messages/type_ids.hpp"

#include "store/history_store.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <unistd.h>

namespace chat {

std::string default_data_dir() {
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state)
    return std::string{state} + "/cafchat";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string{home} + "/.local/state/cafchat";
  return "cafchat-data";
}

server_config::server_config() : data_dir(default_data_dir()) {
  opt_group{custom_options_, "global"}
      .add(host, "host,H", "address to listen on (default 127.0.0.1; 0.0.0.0 for all IPv4)")
      .add(port, "port,p", "TCP port to listen on (default 7000; 0 picks a free port)")
      .add(io_threads, "io-threads", "threads running socket I/O (default 1)")
      .add(max_frame, "max-frame",
           "largest frame body (type byte + payload) accepted, in bytes (default 65536); a larger "
           "one gets ERROR 'frame too large' and the connection is closed")
      .add(max_message, "max-message",
           "largest message body a client speaking protocol version 3 may send and receive in "
           "parts, in bytes (default 1048576, or less if --max-frame or --max-outbound-bytes "
           "leave no room for it); a larger one is refused 'message too long'")
      .add(multipart_timeout, "multipart-timeout",
           "time from a multi-part message's first part to its last (default 30s); an unfinished "
           "message is then dropped, its memory freed, and its sender told 'timed out'")
      .add(max_multipart_held, "max-multipart-held",
           "bytes of unfinished multi-part messages the server holds across all connections "
           "(default 268435456); a part past it refuses its message, whose memory is freed, and "
           "its sender is told to send it again later")
      .add(max_outbound_bytes, "max-outbound-bytes",
           "bytes queued for one client before it is cut off as a slow consumer (default "
           "2097152: one message of --max-message and room beside it)")
      .add(shutdown_timeout, "shutdown-timeout",
           "on SIGINT/SIGTERM, how long clients get to receive what is queued (default 5s)")
      .add(max_connections, "max-connections",
           "connections served at once, TCP, WebSocket and HTTP together (default 10000); one "
           "more gets ERROR 'server full' (HTTP: 503) and is closed")
      .add(idle_interval, "idle-interval",
           "silence from a client before the server sends it a PING (default 30s)")
      .add(idle_timeout, "idle-timeout",
           "silence from a client before ERROR 'idle timeout' and a close (default 90s)")
      .add(max_broadcast_rate, "max-broadcast-rate",
           "messages per second per user, counting BROADCAST_MSG, MSG to any channel and DM "
           "(default 10; 0: no limit); past it a message waits for its token, and reading from "
           "that client slows down")
      .add(broadcast_burst, "broadcast-burst",
           "messages a user may send at once after a quiet spell (default 20)")
      .add(flood_timeout, "flood-timeout",
           "how long a user may stay behind --max-broadcast-rate (its messages wait, reading "
           "from it slows down) before ERROR 'excess flood' and a close (default 30s)")
      .add(max_channels, "max-channels",
           "channels on this server at once (default 10000; 'lobby' is always allowed); a JOIN "
           "that would create one more is refused 'too many channels on this server'")
      .add(max_channels_per_user, "max-channels-per-user",
           "channels one user may be in at once (default 100)")
      .add(max_channel_members, "max-channel-members",
           "members of one channel at once (default 0: unlimited); one more is refused "
           "'channel full'")
      .add(page_size, "page-size",
           "names per WHO reply, channels per LIST reply and messages per HISTORY reply at most "
           "(default 100)")
      .add(data_dir, "data-dir",
           "where channel history is kept, in an LMDB file, history.mdb (default "
           "$XDG_STATE_HOME/cafchat, else ~/.local/state/cafchat); one chat-server per "
           "directory; ':memory:' keeps history in memory only, lost at exit")
      .add(history_max_messages, "history-max-messages",
           "messages kept per channel at most (default 10000); also the most a JOIN may ask "
           "to have replayed")
      .add(history_max_age, "history-max-age", "how long a message is kept (default 24h)")
      .add(log_level, "log-level",
           "trace, debug, info, warn, error, critical or off (default info); logs go to stderr")
      .add(http_port, "http-port",
           "serve the web chat page, /healthz and the WebSocket gateway (/ws) on this port of "
           "--host (default -1: off; 0 picks a free port)")
      .add(udp_port, "udp-port",
           "take datagrams on this UDP port of --host (default -1: off; 0 picks a free port): "
           "sessions like TCP ones after a cookie exchange that proves the client's address "
           "(docs/PROTOCOL.md \"Datagrams (UDP)\"); counted in --max-connections; no "
           "encryption, even with --tls-cert")
      .add(udp_max_datagram, "udp-max-datagram",
           "largest UDP datagram taken or sent, in bytes (default 1200, 256..65507); a frame "
           "that does not fit in one is sent as PART frames, one per datagram")
      .add(cluster_port, "cluster-port",
           "join a cluster of chat-servers: other nodes reach this one on this port (default 0: "
           "no cluster); see docs/CLUSTER.md")
      .add(cluster_host, "cluster-host",
           "the address other nodes dial to reach this one (default: --host); must be an "
           "address they can reach, not 0.0.0.0")
      .add(peers, "peer",
           "HOST:PORT of a node to join the cluster through; repeatable (--peer A --peer B), "
           "in an INI file peer=[\"A\", \"B\"]; one reachable node is enough, the rest are "
           "learned from it; retried with back-off while away")
      .add(cluster_status, "cluster-status",
           "HOST:PORT of a node's cluster port: print the nodes it sees with their member counts, "
           "then exit (0, or 1 when it cannot be reached)")
      .add(cluster_tls_cert, "cluster-tls-cert",
           "cluster links over TLS: this node's certificate (PEM), signed by the cluster CA; "
           "needs --cluster-tls-key and --cluster-tls-ca (scripts/dev-cluster-ca.sh makes them)")
      .add(cluster_tls_key, "cluster-tls-key", "this node's private key (PEM) for cluster TLS")
      .add(cluster_tls_ca, "cluster-tls-ca",
           "the cluster CA's certificate (PEM): only nodes with a certificate it signed may join")
      .add(tls_cert, "tls-cert",
           "TLS on the protocol port and the HTTP/WebSocket port: the server's certificate chain "
           "(PEM); needs --tls-key; re-read on SIGHUP (scripts/dev-cluster-ca.sh makes one)")
      .add(tls_key, "tls-key", "the private key (PEM) of --tls-cert; re-read with it on SIGHUP")
      .add(tls_handshake_timeout, "tls-handshake-timeout",
           "a TLS client whose handshake is not done by then is cut (default 10s)")
      .add(auth, "auth",
           "none (default: LOGIN names the user) or token (LOGIN carries a signed token that names "
           "the user; see docs/PROTOCOL.md)")
      .add(auth_secret_file, "auth-secret-file",
           "with --auth token: a file holding the HS256 shared secret, at least 32 bytes (one "
           "trailing line end is not part of it)")
      .add(auth_public_key_file, "auth-public-key-file",
           "with --auth token: a PEM public key, Ed25519 (tokens signed EdDSA) or RSA of at least "
           "2048 bits (RS256)")
      .add(auth_leeway, "auth-leeway",
           "how far the token issuer's clock may differ from this server's, for exp and nbf "
           "(default 0s; at most 5min)")
      .add(issue_token, "issue-token",
           "NAME: print a token for NAME, signed with --auth-secret-file (HS256) or "
           "--auth-private-key-file, then exit")
      .add(auth_private_key_file, "auth-private-key-file",
           "with --issue-token: a PEM private key, Ed25519 (EdDSA) or RSA (RS256), the other "
           "half of a server's --auth-public-key-file")
      .add(ttl, "ttl", "with --issue-token: how long the token is valid (default 1h)")
      .add(channels, "channels",
           "with --issue-token: the channels the token allows, comma-separated (default: all; a "
           "version-1 client needs lobby)");
  add_message_types<caf::id_block::chat>();
  add_error_category(error_category, render_error);
  // CAF starts max(cores, 4) workers. On a 2-core machine the two extra ones only poll, sleep
  // and wake, at 10-30% more CPU per delivery (BENCHMARKS.md, "Channels"). One worker per core
  // unless the command line or an INI file says otherwise (--scheduler.max-threads=N).
  set("scheduler.max-threads",
      static_cast<size_t>(std::max(1u, std::thread::hardware_concurrency())));
  // An idle worker naps between polls for new work before it sleeps on its condition variable;
  // CAF's 50 us naps cost more CPU in wake-ups than they save in latency (BENCHMARKS.md,
  // "Performance II: fifth pass"). 200 us: 3-19 % less CPU per delivery, the same latency.
  set("work-stealing.moderate-sleep-duration", caf::timespan{std::chrono::microseconds{200}});
}

std::optional<std::size_t> server_config::udp_part_piece() const {
  if (udp_port < 0 || udp_max_datagram < transport::udp::min_max_datagram ||
      udp_max_datagram > transport::udp::max_max_datagram)
    return std::nullopt;
  return transport::udp::datagram_packer::max_part_body(udp_max_datagram) - v2::part_overhead;
}

std::size_t server_config::effective_max_message() const {
  if (max_message != 0) return max_message;
  v2::message_splitter tcp_parts{{max_frame, v2::default_max_message, v2::default_max_parts}};
  auto piece = max_frame > v2::part_overhead ? max_frame - v2::part_overhead : 1;
  auto most = std::min(v2::default_max_message, std::size_t{v2::default_max_parts} * piece);
  if (auto udp_piece = udp_part_piece()) // and in 1024 datagrams' parts, when UDP is served
    most = std::min(most, std::size_t{v2::default_max_parts} * *udp_piece);
  // Shrink by a piece at a time until its parts fit the outbound queue: a few steps at most.
  while (most > piece && tcp_parts.wire_bytes(most) > max_outbound_bytes) {
    auto over = tcp_parts.wire_bytes(most) - max_outbound_bytes;
    most -= std::min(most - piece, std::max(piece, over));
  }
  return most;
}

server_options server_config::node_options() const {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  server_options o;
  o.host = host;
  o.port = port;
  o.limits.max_frame = max_frame;
  o.limits.max_outbound_bytes = max_outbound_bytes;
  o.limits.tls_handshake_timeout = duration_cast<milliseconds>(tls_handshake_timeout);
  o.max_connections = max_connections;
  o.idle_interval = duration_cast<milliseconds>(idle_interval);
  o.idle_timeout = duration_cast<milliseconds>(idle_timeout);
  o.session.max_broadcast_rate = max_broadcast_rate;
  o.session.broadcast_burst = broadcast_burst;
  o.session.flood_timeout = duration_cast<milliseconds>(flood_timeout);
  o.session.max_frame = max_frame;
  o.session.parts.max_message = effective_max_message();
  o.session.parts.timeout = duration_cast<milliseconds>(multipart_timeout);
  o.session.parts.budget = std::make_shared<v2::reassembly_budget>(max_multipart_held);
  o.session.max_channels_per_user = max_channels_per_user;
  o.session.max_channel_members = max_channel_members;
  o.session.page_size = page_size;
  o.channels.max_channels = max_channels;
  o.channels.max_channel_members = max_channel_members;
  o.session.max_replay = history_max_messages;
  o.cluster_host = cluster_host.empty() ? host : cluster_host;
  o.cluster_port = cluster_port;
  o.peers = peers;
  o.cluster_tls = cluster_tls();
  if (http_port >= 0) o.http_port = static_cast<uint16_t>(http_port);
  if (udp_port >= 0) o.udp_port = static_cast<uint16_t>(udp_port);
  o.udp_max_datagram = udp_max_datagram;
  return o;
}

store::retention server_config::retention() const {
  return {history_max_messages,
          std::chrono::duration_cast<std::chrono::milliseconds>(history_max_age)};
}

std::string server_config::validate() const {
  if (io_threads < 1 || io_threads > 64) return "--io-threads must be between 1 and 64";
  if (max_frame > (1u << 30)) return "--max-frame must be at most 1073741824";
  if (max_outbound_bytes < max_frame + header_size)
    return "--max-outbound-bytes must hold at least one frame of --max-frame bytes";
  if (max_message > (1u << 30)) return "--max-message must be at most 1073741824";
  if (multipart_timeout <= caf::timespan{0}) return "--multipart-timeout must be positive";
  if (max_multipart_held < max_frame)
    return "--max-multipart-held must hold at least one part of --max-frame bytes";
  auto message = effective_max_message();
  v2::message_splitter tcp_parts{{max_frame, message, v2::default_max_parts}};
  if (tcp_parts.parts_for(message) > v2::default_max_parts)
    return "--max-message must fit in " + std::to_string(v2::default_max_parts) +
           " parts of --max-frame bytes";
  if (max_outbound_bytes < tcp_parts.wire_bytes(message))
    return "--max-outbound-bytes must hold one message of --max-message bytes in parts (" +
           std::to_string(tcp_parts.wire_bytes(message)) + " bytes)";
  if (max_connections < 1) return "--max-connections must be at least 1";
  if (http_port < -1 || http_port > 65535) return "--http-port must be -1 (off) or 0..65535";
  if (udp_port < -1 || udp_port > 65535) return "--udp-port must be -1 (off) or 0..65535";
  if (udp_max_datagram < transport::udp::min_max_datagram ||
      udp_max_datagram > transport::udp::max_max_datagram)
    return "--udp-max-datagram must be between " +
           std::to_string(transport::udp::min_max_datagram) + " and " +
           std::to_string(transport::udp::max_max_datagram);
  // Over UDP a session sends frames up to --max-message (or --max-frame) in datagram-sized parts,
  // and a client takes at most 1024 parts of one message.
  if (auto udp_piece = udp_part_piece();
      udp_piece && std::max(message, max_frame) > std::size_t{v2::default_max_parts} * *udp_piece)
    return "--max-message and --max-frame must fit in " + std::to_string(v2::default_max_parts) +
           " parts of --udp-max-datagram bytes (at most " +
           std::to_string(std::size_t{v2::default_max_parts} * *udp_piece) + " bytes with " +
           std::to_string(udp_max_datagram) + ")";
  if (idle_interval <= caf::timespan{0} || idle_timeout <= caf::timespan{0})
    return "--idle-interval and --idle-timeout must be positive";
  if (max_broadcast_rate < 0 || broadcast_burst < 1)
    return "--max-broadcast-rate must be >= 0 and --broadcast-burst >= 1";
  if (flood_timeout <= caf::timespan{0}) return "--flood-timeout must be positive";
  // A HELLO reply and a page of WHO or LIST must fit in a frame.
  if (max_frame < 256) return "--max-frame must be at least 256 (a HELLO reply must fit)";
  if (max_channels < 1 || max_channels_per_user < 1)
    return "--max-channels and --max-channels-per-user must be at least 1";
  if (page_size < 1) return "--page-size must be at least 1";
  if (history_max_messages < 1 || history_max_messages > 10'000'000)
    return "--history-max-messages must be between 1 and 10000000";
  if (history_max_age < std::chrono::seconds(1)) return "--history-max-age must be at least 1s";
  if (data_dir.empty()) return "--data-dir must not be empty (':memory:' keeps no files)";
  if (!peers.empty() && cluster_port == 0) return "--peer needs --cluster-port";
  if (auth != "none" && auth != "token") return "--auth must be none or token";
  bool secret = !auth_secret_file.empty();
  bool public_key = !auth_public_key_file.empty();
  if (auth == "token" && secret == public_key)
    return secret ? "--auth token takes one of --auth-secret-file and --auth-public-key-file"
                  : "--auth token needs --auth-secret-file or --auth-public-key-file";
  if (!issue_token.empty()) return validate_issue();
  if (!auth_private_key_file.empty() || !channels.empty())
    return "--auth-private-key-file and --channels are for --issue-token";
  if (auth == "none" && (secret || public_key))
    return "--auth-secret-file and --auth-public-key-file need --auth token";
  if (auth_leeway < caf::timespan{0} || auth_leeway > std::chrono::minutes(5))
    return "--auth-leeway must be between 0s and 5min";
  int tls_files = !cluster_tls_cert.empty() + !cluster_tls_key.empty() + !cluster_tls_ca.empty();
  if (tls_files != 0 && tls_files != 3)
    return "--cluster-tls-cert, --cluster-tls-key and --cluster-tls-ca go together (all three "
           "or none)";
  if (tls_files == 3 && !uses_cluster())
    return "--cluster-tls-* need --cluster-port or --cluster-status";
  for (auto* file : {&cluster_tls_cert, &cluster_tls_key, &cluster_tls_ca})
    if (!file->empty() && ::access(file->c_str(), R_OK) != 0)
      return "cannot read " + *file + ": " + std::strerror(errno);
  if (tls_cert.empty() != tls_key.empty()) return "--tls-cert and --tls-key go together";
  if (tls_handshake_timeout < std::chrono::milliseconds(100) ||
      tls_handshake_timeout > std::chrono::minutes(5))
    return "--tls-handshake-timeout must be between 100ms and 5min";
  auto advertised = cluster_host.empty() ? host : cluster_host;
  if (cluster_port != 0 && (advertised == "0.0.0.0" || advertised == "::"))
    return "--cluster-host must be an address other nodes can dial (not " + advertised + ")";
  for (auto& peer : peers) {
    auto colon = peer.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == peer.size())
      return "--peer '" + peer + "' is not HOST:PORT";
  }
  return {};
}

std::vector<std::string> server_config::channel_list() const {
  std::vector<std::string> list;
  std::size_t start = 0;
  while (start <= channels.size() && !channels.empty()) {
    auto comma = channels.find(',', start);
    if (comma == std::string::npos) comma = channels.size();
    list.push_back(channels.substr(start, comma - start));
    start = comma + 1;
  }
  return list;
}

std::string server_config::validate_issue() const {
  if (auto reason = login_name_error(issue_token)) return std::string{"--issue-token: "} + reason;
  if (auth_secret_file.empty() == auth_private_key_file.empty())
    return "--issue-token needs one of --auth-secret-file and --auth-private-key-file";
  if (ttl < std::chrono::seconds(1)) return "--ttl must be at least 1s";
  for (auto& c : channel_list())
    if (auto reason = channel_name_error(c)) return "--channels: '" + c + "': " + reason;
  return {};
}

} // namespace chat
