// udp_endpoint.hpp -- the server's UDP port (docs/PROTOCOL.md "Datagrams (UDP)"): one socket, the
// cookie exchange with unverified peers (udp_gate.hpp), a udp_connection per verified peer. Made by
// the server wiring (apps/) beside the TCP listener, with its policy; knows no chat rule.
#pragma once

#include "transport/listener.hpp"
#include "transport/udp_connection.hpp"
#include "transport/udp_cookie.hpp"
#include "transport/udp_datagram.hpp"
#include "transport/udp_gate.hpp"
#include "transport/udp_stats.hpp"

#include <boost/asio.hpp>

#include <sys/uio.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace chat::transport {

struct udp_options {
  std::size_t max_datagram = udp::default_max_datagram; // --udp-max-datagram, both directions
  udp::cookie_timing cookies;                           // lifetime, and the rotation period
  // The largest frame body a session sends; larger than a datagram, it goes as PART frames.
  std::size_t max_message = v2::default_max_message;
  // Sent to a verified peer whose DATA carried malformed frames (ERROR "malformed datagram");
  // the DATA is dropped whole and the session stays.
  std::optional<frame> malformed_notice;
};

struct udp_peer_hash {
  std::size_t operator()(const udp::peer& p) const;
};

class udp_endpoint : public std::enable_shared_from_this<udp_endpoint> {
public:
  // Must return the connection's owner; the endpoint then hands it the peer's first frames.
  using accept_callback = std::function<connection_owner(const std::shared_ptr<udp_connection>&)>;

  // Binds at once, so errors (address in use) surface here, at start-up. `limits` gives the
  // frame bound, the outbound bound and the unhandled-frame credit of every session; `policy`
  // is the TCP listener's (slots, refusal, idle rule). Throws std::invalid_argument for a
  // max_datagram outside [udp::min_max_datagram, udp::max_max_datagram].
  udp_endpoint(asio::io_context& ioc, const asio::ip::udp::endpoint& where,
               const connection_limits& limits, listener_policy policy, udp_options options,
               accept_callback on_accept);
  ~udp_endpoint(); // closes the socket: no operation is pending on it by then

  asio::ip::udp::endpoint local_endpoint() const { return local_; }

  void start();
  // Takes no more datagrams; every session gets `farewell` (if any) and CLOSE. Thread-safe.
  void stop(std::optional<frame> farewell = std::nullopt);
  // Sessions open now (verified peers admitted and not yet closed). Thread-safe.
  std::size_t open_connections() const;
  // Ends every session now, dropping what is queued (after a shutdown timeout).
  void abort_all(const std::string& reason);
  const udp_stats& stats() const { return stats_; }

  // -- for udp_connection, any thread ------------------------------------------------------------

  // One datagram, gathered from `parts`, sent without waiting: a full socket buffer drops it
  // (counted), as the network may. False if it was not sent.
  bool send_datagram(const asio::ip::udp::endpoint& to, const iovec* parts, std::size_t count);
  // The connection has ended: its peer leaves the table (unless a new session replaced it).
  void forget(const udp_connection& c);
  udp_stats& stats() { return stats_; }
  asio::io_context& context() { return ioc_; }

private:
  // -- receive loop (udp_endpoint.cpp) --
  void wait_readable();
  void on_readable(const boost::system::error_code& ec);
  void rotate();
  void sweep();
  template <class F> void for_each_open(F f);

  // -- one datagram (udp_endpoint_peers.cpp) --
  void on_datagram(std::string_view bytes, const asio::ip::udp::endpoint& from);
  bool from_session(udp_connection& c, std::string_view bytes);
  void unverified(std::string_view bytes, const asio::ip::udp::endpoint& from,
                  const udp::peer& who);
  void admit(const asio::ip::udp::endpoint& from, const udp::peer& who,
             const udp::gate_answer& opened, std::size_t size);
  void refuse(const asio::ip::udp::endpoint& from, const udp::cookie& c);
  std::shared_ptr<udp_connection> find(const udp::peer& who) const;

  asio::io_context& ioc_;
  asio::strand<asio::any_io_executor> strand_; // the receive loop, the cookies and the timers
  asio::ip::udp::socket socket_;
  asio::ip::udp::endpoint local_;
  int native_fd_ = -1;
  connection_limits limits_;
  listener_policy policy_;
  udp_options options_;
  udp::datagram_limits datagram_limits_;
  accept_callback on_accept_;
  udp_stats stats_;

  // Strand only.
  udp::cookies jar_;
  std::vector<char> buffer_; // one datagram, and one byte more to tell a too-large one
  asio::steady_timer rotate_timer_;
  asio::steady_timer sweep_timer_;
  uint64_t refused_ = 0;  // since the server was last below its bound
  bool waiting_ = false;  // an async_wait is pending on socket_
  bool stopping_ = false; // stop() was called

  mutable std::mutex peers_mutex_; // guards peers_ only
  std::unordered_map<udp::peer, std::shared_ptr<udp_connection>, udp_peer_hash> peers_;
};

} // namespace chat::transport
