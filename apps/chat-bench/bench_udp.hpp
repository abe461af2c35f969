// bench_udp.hpp -- --transport=udp: what a bench_client keeps for its UDP session (udp_channel:
// its own socket, connected to the server, the HELLO nonces, the session's cookie), and the
// report's "udp" object. The client's side of it is bench_client_udp.cpp; the datagram codec is
// the server's (transport/udp_datagram.hpp), the socket-free helpers are udp_wire.hpp.
#pragma once

#include "apps/chat-bench/bench_config.hpp"
#include "apps/chat-bench/bench_report.hpp"
#include "transport/udp_datagram.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <vector>

namespace chat::bench {

class udp_channel {
public:
  explicit udp_channel(const boost::asio::any_io_executor& executor)
      : socket(executor), timer(executor) {}

  boost::asio::ip::udp::socket socket;
  boost::asio::steady_timer timer; // HELLO again until a COOKIE; then a sender's stall check
  std::vector<transport::udp::nonce> nonces; // of every HELLO said
  std::size_t attempt = 0;                   // HELLOs said so far, less one
  bool has_cookie = false;
  transport::udp::cookie cookie{};
  transport::udp::data_prefix prefix{}; // the DATA prefix of every datagram we send
  uint64_t next_datagram = 1;           // the sequence number our next DATA carries
  bool wait_pending = false;            // an async_wait on the socket
  bool close_said = false;              // our CLOSE went (once)
  uint32_t socket_drops = 0;            // the socket's SO_RXQ_OVFL count, last seen
  // A sender's window after loss: its next sequence number and the time it last moved.
  uint64_t stall_seq = 0;
  uint64_t stall_since_ns = 0;
};

// The report's "udp" object: the settings, the counts of udp_wire::run_counters(), the loss at
// the measured rate, and the kernel's UDP counters over the run.
boost::json::object udp_json(const bench_config& cfg, const bench_result& r);

} // namespace chat::bench
