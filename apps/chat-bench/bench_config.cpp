#include "apps/chat-bench/bench_config.hpp"

#include "apps/chat-bench/asio_example_codec.hpp"
#include "apps/chat-bench/large_message.hpp"
#include "apps/chat-bench/loopback.hpp"
#include "apps/chat-bench/server_spread.hpp"
#include "apps/chat-bench/stamp.hpp"
#include "apps/chat-bench/v2_load.hpp"
#include "messages/channel_name.hpp"
#include "messages/frame.hpp"
#include "messages/login_name.hpp"

#include <sys/types.h>

#include <limits>

namespace chat::bench {

namespace {

// clients x senders sequence windows of 16 bytes each: 256 MiB at this bound.
constexpr std::size_t max_sequence_windows = std::size_t{1} << 24;
constexpr std::size_t max_io_threads = 64;
// Room in a chat frame for "<name>: " around the text.
constexpr std::size_t max_chat_payload = default_max_frame - 1 - max_login_name - 2;
// Room in a version-2 MSG delivery {str8 channel, str8 sender, u32 length, text} around the
// text; a DM delivery needs less.
constexpr std::size_t max_v2_payload =
    default_max_frame - 1 - (1 + max_channel_name) - (1 + max_login_name) - 4;

} // namespace

bench_config::bench_config() {
  opt_group{custom_options_, "global"}
      .add(host, "host,H", "server address: 127.0.0.0/8 or localhost only (default 127.0.0.1)")
      .add(port, "port,p", "server port (default 7000)")
      .add(servers, "server",
           "a server as HOST:PORT (HOST as for --host); repeat for several servers: client i "
           "connects to server i % N, and the senders, being the first clients, spread the same "
           "way. Replaces --host and --port (default: --host:--port)")
      .add(clients, "clients,c", "connections to open, each one user (default 100)")
      .add(senders, "senders,s",
           "how many of the clients broadcast (the first ones); the rest only receive "
           "(default 1)")
      .add(rate, "rate,r",
           "broadcasts per second per sender; 0 sends as fast as --window allows (default 0)")
      .add(window, "window,w",
           "most broadcasts a sender may have in flight: sent but not yet seen back by itself "
           "(default 16)")
      .add(max_broadcasts, "max-broadcasts",
           "each sender stops after this many broadcasts, warm-up included (0: no limit); "
           "--max-broadcasts 1 --window 1 --warmup 0s sends exactly one (default 0)")
      .add(duration, "duration,d",
           "length of the measured interval, after the warm-up (connect-only: how long to hold "
           "the connections) (default 10s)")
      .add(warmup, "warmup",
           "sending before the measured interval, not counted in the figures (default 1s)")
      .add(payload, "payload",
           "bytes of each broadcast's text, at least the 46-byte stamp (sender, sequence, send "
           "time) it carries (default 64)")
      .add(connect_only, "connect-only",
           "open the connections, log in, hold them idle for --duration, report; no broadcasts. "
           "Broadcasts stamped by another chat-bench process are counted as watched, and their "
           "latency is the report's (one broadcast to clients held by several processes)")
      .add(source_addresses, "source-addresses",
           "spread clients over N source addresses 127.0.0.1..N (client i on 127.0.0.(1 + i % "
           "N)) to pass one address's ephemeral port limit; 1 lets the kernel choose (default 1)")
      .add(connect_rate, "connect-rate",
           "most new connections per second, so that the server's accept queue keeps up "
           "(default 2000)")
      .add(io_threads, "io-threads", "threads running the clients' socket I/O (default 1)")
      .add(name_prefix, "name-prefix",
           "user names are <prefix><client number>; give concurrent chat-bench processes "
           "different prefixes (default b)")
      .add(server_pids, "server-pid",
           "the server's process id: its CPU time (/proc/PID/stat) over the measured interval "
           "is reported per delivered message; with several --server, repeat it once per server "
           "in the same order for CPU per delivery per node (default: not measured)")
      .add(framing, "framing",
           "chat (our protocol, with LOGIN) or asio-example (Boost.Asio's chat example: 4-digit "
           "ASCII length, body <= 512 bytes, no login) (default chat)")
      .add(transport, "transport",
           "tcp (our binary frames) or ws (the same frames as JSON text over a WebSocket, "
           "docs/PROTOCOL.md \"JSON (WebSocket)\"; the servers are then chat-server's "
           "--http-port, path /ws; latency ends when the message is read, not at the kernel's "
           "receive stamp), or udp (the same frames in DATA datagrams, docs/PROTOCOL.md "
           "\"Datagrams (UDP)\"; the servers are then chat-server's --udp-port; each client "
           "says HELLO on its own socket until a COOKIE answers; what is lost is counted, and "
           "the report adds \"udp\") (default tcp)")
      .add(tls, "tls",
           "connect over TLS (chat-server --tls-cert/--tls-key), --transport=tcp only: each "
           "client makes a full TLS handshake (no session resumption) right after its TCP "
           "connect, then logs in and runs the same load. Latency still ends at the kernel's "
           "receive stamp of the encrypted bytes, before they are decrypted. A failed handshake "
           "counts as handshake_failed with OpenSSL's reason; one not done when the connect "
           "phase ends (10 s after the last connect) fails then. The report says \"tls\": "
           "true and adds the handshakes to \"connect_phase\" (how many, how long, per second, "
           "and with --server-pid the server's CPU over the connect phase); --connect-rate "
           "paces the connects, so raise it to measure how fast the server handshakes")
      .add(udp_max_datagram, "udp-max-datagram",
           "with --transport=udp: the largest datagram chat-bench sends, as chat-server's "
           "--udp-max-datagram (256..65507; default 1200)")
      .add(udp_rcvbuf, "udp-rcvbuf",
           "with --transport=udp: each client socket's receive buffer in bytes, set with "
           "SO_RCVBUFFORCE (root) or else SO_RCVBUF (capped by net.core.rmem_max); the report "
           "says what the kernel gave (default 4194304)")
      .add(tls_ca, "tls-ca",
           "with --tls: verify the server's certificate against the CA certificates in this PEM "
           "file, and that it names the address connected to. Without it the server is NOT "
           "verified: a bench talks to its own server (default: no verification)")
      .add(channels, "channels",
           "speak protocol version 2 and spread the clients over K channels bench-0 .. "
           "bench-<K-1> (client i joins bench-<i % K>); the senders, being the first clients, "
           "spread the same way, so --senders K gives each channel one and --senders n*K gives "
           "each n. Senders send MSG to their channel, each owed to every member (the sender "
           "included); the report adds per_channel figures. With several --server, a channel "
           "spans every server only if K and the number of servers have no common factor. "
           "1..10000, at most --clients; 0: version 1, everyone in lobby (default 0)")
      .add(direct, "direct",
           "speak protocol version 2 and have the senders send direct messages instead: sender "
           "s sends its n-th DM to client (s + 1 + n mod P) mod --clients (P: --dm-peers); a "
           "DM's --window slot is freed by its REPLY; the report adds acked DMs, refusals and "
           "ack latency (not with --channels)")
      .add(dm_peers, "dm-peers",
           "with --direct: how many clients (those after it) each sender's DMs rotate over; "
           "0: every other client (default 0)")
      .add(large_message, "large-message",
           "with --channels: every client says HELLO {3} (protocol version 3, multi-part "
           "messages), and client 0 also sends, every --large-every in the measured interval, "
           "one MSG of this many bytes of text into its channel, cut into PART frames of the "
           "server's max_frame (it starts with the usual stamp; filler follows). Receivers put "
           "the parts together and count these messages apart from the others: the report adds "
           "\"large\" (sent, delivered, lost, corrupt, latency at the arrival of the last part, "
           "and each message's time to reach every other member). The MSG must fit the "
           "server's --max-message. 0: off (default 0)")
      .add(large_every, "large-every",
           "with --large-message: how often client 0 sends one; the first goes half of this "
           "after the warm-up began (default 1s)");
}

std::string bench_config::validate() const {
  if (!loopback_address(host))
    return "--host must be localhost or an address in 127.0.0.0/8: chat-bench is a local "
           "benchmark and connects to this machine only";
  if (port == 0) return "--port must not be 0";
  if (!servers.empty() && (host != default_host || port != default_port))
    return "give the servers either with --server or with --host and --port, not both";
  if (servers.size() > max_servers) return "at most 64 --server options";
  for (auto& server : servers)
    if (!server_address(server))
      return "--server must be HOST:PORT with HOST localhost or in 127.0.0.0/8 and PORT 1-65535, "
             "not '" +
             server + "'";
  if (framing != "chat" && framing != "asio-example")
    return "--framing must be chat or asio-example";
  if (transport != "tcp" && transport != "ws" && transport != "udp")
    return "--transport must be tcp, ws or udp";
  if (auto problem = validate_udp(); !problem.empty()) return problem;
  if (websocket() && framing != "chat") return "--transport=ws needs --framing=chat";
  if (tls && websocket()) return "--tls is for --transport=tcp (WebSocket over TLS is not built)";
  if (!tls_ca.empty() && !tls) return "--tls-ca needs --tls";
  if (clients < 1) return "--clients must be at least 1";
  if (!connect_only && (senders < 1 || senders > clients))
    return "--senders must be between 1 and --clients";
  if (!connect_only && clients * senders > max_sequence_windows)
    return "--clients times --senders must be at most 16777216";
  if (!(rate >= 0) || rate > 1e9) return "--rate must be between 0 and 1e9";
  if (window < 1 || window > 1000000) return "--window must be between 1 and 1000000";
  if (duration <= caf::timespan{0}) return "--duration must be positive";
  if (warmup < caf::timespan{0}) return "--warmup must not be negative";
  if (payload < stamp_size) return "--payload must be at least 46 bytes (the stamp)";
  if (framing_type() == framing_kind::asio_example && payload > asio_example_max_body)
    return "--payload must be at most 512 bytes with --framing=asio-example";
  if (payload > max_chat_payload) return "--payload must fit in one 65536-byte frame";
  if (auto problem = validate_v2(); !problem.empty()) return problem;
  if (source_addresses < 1 || source_addresses > max_source_addresses)
    return "--source-addresses must be between 1 and 254";
  if (connect_rate < 1) return "--connect-rate must be at least 1";
  if (io_threads < 1 || io_threads > max_io_threads) return "--io-threads must be between 1 and 64";
  if (!server_pids.empty() && server_pids.size() != server_count())
    return "give --server-pid once per server, in --server order, or not at all";
  for (auto pid : server_pids)
    if (pid <= 0 || pid > std::numeric_limits<pid_t>::max())
      return "--server-pid must be a process id";
  if (framing_type() == framing_kind::chat) {
    for (auto name : {name_prefix + "0", name_prefix + std::to_string(clients - 1)})
      if (auto reason = login_name_error(name))
        return "--name-prefix gives a bad user name '" + name + "': " + reason;
  }
  return {};
}

std::string bench_config::validate_v2() const {
  if (channels > max_channels) return "--channels must be at most 10000";
  if (channels > clients) return "--channels must be at most --clients: each channel needs one";
  if (direct && channels > 0) return "--direct and --channels are separate loads: give one of them";
  if (v2() && framing_type() != framing_kind::chat)
    return "--channels and --direct need --framing=chat";
  if (direct && connect_only) return "--direct sends DMs: it does not go with --connect-only";
  if (dm_peers > 0 && !direct) return "--dm-peers needs --direct";
  if (dm_peers > 0 && dm_peers >= clients) return "--dm-peers must be below --clients";
  if (v2() && payload > max_v2_payload) return "--payload must fit in one 65536-byte MSG frame";
  return validate_large();
}

std::string bench_config::validate_large() const {
  if (!large()) return {};
  if (channels == 0) return "--large-message needs --channels (it sends a MSG to a channel)";
  if (connect_only) return "--large-message sends: it does not go with --connect-only";
  if (transport != "tcp" || tls) // the parts go out in flush()'s plain TCP path only
    return "--large-message is for --transport=tcp without --tls";
  if (large_message <= payload)
    return "--large-message must be larger than --payload (receivers tell them apart by size)";
  if (large_message > (std::size_t{1} << 30)) return "--large-message must be at most 1073741824";
  if (large_every <= caf::timespan{0}) return "--large-every must be positive";
  if (duration / large_every > static_cast<int64_t>(max_large_messages))
    return "--duration / --large-every must be at most 100000 large messages";
  return {};
}

std::vector<boost::asio::ip::tcp::endpoint> bench_config::server_endpoints() const {
  if (servers.empty()) return {{*loopback_address(host), port}};
  std::vector<boost::asio::ip::tcp::endpoint> out;
  for (auto& server : servers)
    out.push_back(*server_address(server));
  return out;
}

} // namespace chat::bench
