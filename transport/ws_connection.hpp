// ws_connection.hpp -- one WebSocket client of the web gateway: JSON text messages in -> frames
// -> its owner actor (a session, exactly as for TCP); frames out -> one JSON text message each
// (docs/PROTOCOL.md "JSON (WebSocket)"). Made by http_listener once a request upgrades at /ws;
// the owner sees only `connection`. Plain (ws://) or over TLS (wss://), one class: the stream is
// a variant, one branch where it is called. Everything that touches the stream runs on the
// strand; send, close and frame_done may come from any thread.
#pragma once

#include "messages/interfaces.hpp"
#include "transport/connection.hpp"
#include "transport/outbound_policy.hpp"
#include "transport/outbound_pressure.hpp"
#include "transport/outbound_queue.hpp"
#include "transport/read_holds.hpp"
#include "transport/tcp_connection.hpp" // connection_limits
#include "transport/ws_socket.hpp"

#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/ssl.hpp> // the closing handshake's TLS teardown
#include <boost/beast/websocket/stream.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace chat::transport {

namespace websocket = boost::beast::websocket;
// A plain socket underneath, not beast::tcp_stream: its timeouts close the socket while a read
// is pending, which Asio 1.26's io_uring backend gets wrong (see tcp_connection::finish). Our
// own timers shut the socket down instead. ws_socket is that socket, with reads an idle
// connection keeps small.
using ws_stream = websocket::stream<ws_socket>;
// The same over TLS (listener_policy::tls): the handshake is done before the HTTP request.
using tls_socket = boost::asio::ssl::stream<tcp::socket>;
using wss_stream = websocket::stream<tls_socket>;
using any_ws_stream = std::variant<ws_stream, wss_stream>;

class ws_connection final : public connection, public std::enable_shared_from_this<ws_connection> {
public:
  // `ws` has completed its handshake. `pressure` is shared with the TCP listener's connections,
  // so a WebSocket receiver that is behind holds back TCP senders too, and the other way round.
  // `tls` (wss only): the context it was accepted with, kept while the connection lives.
  ws_connection(any_ws_stream ws, const connection_limits& limits,
                std::shared_ptr<outbound_pressure> pressure,
                std::optional<frame> slow_consumer_notice,
                std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  ~ws_connection() override;

  // Hands the connection to its owner and starts reading. Call once. `on_closed` runs once, on
  // the strand, after the owner was told.
  void start(connection_owner owner, std::function<void()> on_closed = {});

  void send(frame f) override;
  void send(const frame_batch& batch) override;
  void close() override;
  void frame_done() override;
  std::string peer() const override;
  traffic counters() const override;

  // Nanoseconds (steady clock) of the last message or control frame from the peer.
  int64_t last_read_ns() const { return last_read_ns_.load(std::memory_order_relaxed); }
  // A WebSocket ping to a silent peer (the idle sweep): a browser answers it on its own.
  void probe();
  // Cuts the connection now, dropping whatever is queued (shutdown timeout, tests).
  void abort(std::string reason);

private:
  enum class ending : uint8_t { open, closing, cut };

  // -- read side --
  void read();
  void on_read(const boost::system::error_code& ec);
  bool may_read();                 // false (and parked) while credit is out or receivers press
  void lift(read_holds::reason r); // strand: resumes reading once nothing holds it

  // -- write side: one WebSocket write at a time; a due ping goes between two messages --
  template <class Frames> void enqueue(const Frames& frames);
  void write_next();
  void cork(bool on);                     // TCP_CORK while a burst of messages is written
  bool judge_outbound(std::size_t extra); // under out_mutex_: true if cut
  void set_pressing(bool press);          // under out_mutex_
  void watch_outbound();                  // strand; ticks while the queue is long
  std::size_t kernel_unsent() const;

  // -- ending --
  void close_handshake(); // the queue is empty and the connection is closing: send CLOSE
  void arm_close_timer();
  void finish(std::string reason); // strand only; idempotent
  void close_when_idle();
  void tell_owner(std::string reason);

  // Calls f(stream), plain or TLS: one branch (not std::visit's table), nothing allocated.
  template <class F> decltype(auto) with_stream(F&& f) {
    if (auto* plain = std::get_if<ws_stream>(&ws_)) return f(*plain);
    return f(*std::get_if<wss_stream>(&ws_));
  }
  tcp::socket& socket(); // the TCP socket under either

  std::shared_ptr<boost::asio::ssl::context> tls_; // before ws_: the stream's SSL refers to it
  any_ws_stream ws_;
  // Of the io_context's own executor type, not any_io_executor: Beast's composed operations
  // still use the executor's work-counting calls, which any_io_executor lacks with
  // BOOST_ASIO_NO_DEPRECATED (Boost 1.81).
  asio::strand<asio::io_context::executor_type> strand_;
  std::string peer_;
  int native_fd_ = -1;
  connection_limits limits_;
  std::shared_ptr<outbound_pressure> pressure_;
  std::optional<frame> slow_consumer_notice_;
  connection_owner owner_;
  std::function<void()> on_closed_;
  boost::beast::flat_buffer read_buffer_; // strand only
  bool reading_ = false;                  // strand only: an async_read is pending
  read_holds holds_;                      // strand only: why reading is parked
  bool parked_ = false;                   // strand only: reading waits for holds_ to clear
  bool finished_ = false;                 // strand only
  bool ping_due_ = false;                 // strand only
  bool closing_sent_ = false;             // strand only: our CLOSE is written or on its way
  std::atomic<uint32_t> unhandled_{0};
  std::atomic<int64_t> last_read_ns_;
  std::atomic<uint64_t> bytes_in_{0};
  std::atomic<uint64_t> bytes_out_{0};

  std::mutex out_mutex_; // guards the fields below up to in_flight_
  outbound_queue<> out_;
  ending ending_ = ending::open;
  bool pressing_ = false;
  bool watching_ = false; // watch_outbound() is scheduled
  outbound_policy policy_;

  std::vector<frame> in_flight_; // strand only: taken from out_, written one by one
  std::size_t next_ = 0;         // strand only: the next of in_flight_ to write
  std::string text_;             // strand only: the JSON being written
  bool write_pending_ = false;   // strand only: a write, ping or close is in flight
  bool dropped_for_cut_ = false; // strand only: a cut dropped what was taken and unwritten
  bool corked_ = false;          // strand only
  std::unique_ptr<asio::steady_timer> close_timer_;
  std::unique_ptr<asio::steady_timer> watch_timer_; // strand only
};

} // namespace chat::transport
