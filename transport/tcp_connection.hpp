// tcp_connection.hpp -- one TCP socket: bytes in -> frames -> its owner actor; frames out.
// Created by listener (server) or connector (client); the owning actor sees only `connection`.
// Everything that touches the socket runs on its loop (an io_context one thread runs, io_loop),
// so in order and without a strand; send/close may come from any thread.
#pragma once

#include "messages/frame_decoder.hpp"
#include "messages/interfaces.hpp"
#include "transport/connection.hpp"
#include "transport/outbound_policy.hpp"
#include "transport/outbound_pressure.hpp"
#include "transport/outbound_queue.hpp"
#include "transport/queued_frames.hpp"
#include "transport/read_holds.hpp"
#include "transport/ready_writers.hpp"
#include "transport/tls_session.hpp"
#include "transport/wait_memory.hpp"

#include <boost/asio.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace chat::transport {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct connection_limits {
  std::size_t max_frame = default_max_frame; // largest body_len accepted from the peer
  // Queued + in-flight bytes past which a peer that is behind (the kernel holds our data
  // unsent) is cut as a slow consumer, with its notice (ERROR) after what was already on its
  // way. A queue past half of it whose peer keeps up is our own writer's backlog: the connection
  // then presses its listener's outbound_pressure until it is back under a quarter
  // (outbound_policy.hpp).
  std::size_t max_outbound_bytes = 1 << 20;
  std::chrono::milliseconds close_timeout{5000}; // graceful close gives up after this
  // Frames handed to the owner and not yet handled before reading pauses. One read can overshoot
  // by what a 64 KiB read buffer holds; reading resumes at half.
  uint32_t max_unhandled_frames = 256;
  // A TLS connection whose handshake is not done by then is cut (a peer that connects and says
  // nothing, or stalls halfway, holds no slot for longer).
  std::chrono::milliseconds tls_handshake_timeout{10000};
};

class tcp_connection;

// Hears, once per connection and on its loop, that a connection it watches has closed: the
// listener, which counts its open connections and gives back their slots. One per listener,
// shared by all its connections, so a connection holds a pointer, not a closure of its own.
class close_watcher {
public:
  virtual ~close_watcher() = default;
  virtual void closed(const tcp_connection& c) = 0;
};

class tcp_connection final : public connection,
                             public std::enable_shared_from_this<tcp_connection> {
public:
  // On its io_context's own executor type, not any_io_executor: an operation then stores no
  // type-erased executor and completes without asking one whether it runs here. The listener
  // accepts straight into it.
  using socket_type = asio::basic_stream_socket<tcp, asio::io_context::executor_type>;

  // `pressure` (may be null: a client's single connection) is shared with the listener's other
  // connections. `slow_consumer_notice` is sent to the peer when it is cut as a slow consumer,
  // after the frame already on the wire (the server gives ERROR "slow consumer"; transport
  // knows no chat rule); without it the cut is silent.
  tcp_connection(socket_type socket, const connection_limits& limits,
                 std::shared_ptr<outbound_pressure> pressure = nullptr,
                 std::optional<frame> slow_consumer_notice = std::nullopt);
  // A socket on an io_context's any_io_executor (a connector's, a test's): registered again with
  // the same loop as a socket_type.
  tcp_connection(tcp::socket socket, const connection_limits& limits,
                 std::shared_ptr<outbound_pressure> pressure = nullptr,
                 std::optional<frame> slow_consumer_notice = std::nullopt);
  ~tcp_connection() override;

  // Makes this a TLS connection (before start()): bytes on the wire go through `tls`, frames
  // reach the owner only once the handshake is done, within limits.tls_handshake_timeout.
  // `plain_text_refusal` (server side) goes, unencrypted, to a peer whose first bytes are not
  // TLS, before the close: a plain-text client learns what it talked to.
  void secure(std::unique_ptr<tls_session> tls, std::optional<frame> plain_text_refusal = {});

  // Hands the connection to its owner and starts reading. Call once. `watcher` (if any) hears of
  // the close once, on its loop, after the owner was told.
  void start(connection_owner owner, std::shared_ptr<close_watcher> watcher = nullptr);

  void send(frame f) override;
  void send(const frame_batch& batch) override;
  void close() override;
  void frame_done() override;
  std::string peer() const override;
  traffic counters() const override;

  // The loop this connection runs on (the listener spreads connections over the I/O threads).
  asio::any_io_executor loop() { return socket_.get_executor(); }

  // Nanoseconds (steady clock) of the last read that brought bytes; for the idle sweep.
  int64_t last_read_ns() const { return last_read_ns_.load(std::memory_order_relaxed); }

  // When the idle sweep last probed this connection (the listener's strand only).
  int64_t idle_probe_ns = 0;

  // Cuts the connection now, dropping whatever is queued (shutdown timeout, tests).
  void abort(std::string reason);

private:
  friend class ready_writers; // starts a write: flush()

  // How the outbound side ends: it is open; or it takes no more sends and closes once what is
  // queued went out (closing); or it was cut as a slow consumer: what was queued is dropped,
  // the slow-consumer notice goes out after the frame on the wire, then it closes (cut).
  enum class ending : uint8_t { open, closing, cut };

  // The read side's state (loop only): it reads what the socket holds, then waits for
  // readability, again and again; it parks while a hold keeps it back, and ends for good.
  enum class read_state : uint8_t {
    reading, // on the loop in read_and_wait() (also before start())
    waiting, // an async_wait for readability is pending: the socket may not close under it
    parked,  // stopped until every hold is lifted (lift)
    ended,   // no more reads: the peer closed, a violation, or the connection finished
  };
  // The write side's state (loop only): one write in flight at a time.
  enum class write_state : uint8_t {
    idle,    // nothing in flight: the next flush() starts a write
    writing, // an async_write_some is pending: the socket may not close under it
    ended,   // the connection finished: nothing is written any more
  };

  // -- read side: wait for readability, then read into the thread's pooled buffer --
  void wait_readable(); // an async_wait for readability (waiting)
  void read_and_wait(); // reads what there is, then waits, parks or ends
  void on_readable(const boost::system::error_code& ec);
  read_state read_available();     // what reading does next: waiting, parked or ended
  bool may_read();                 // false (and parked) while a hold keeps reading back
  void lift(read_holds::reason r); // loop: resumes reading once nothing holds it
  bool decode(const char* data, std::size_t n);      // frames to the owner; false on a violation
  bool receive_tls(const char* data, std::size_t n); // false when the connection ended
  void refuse_plain_text();                          // a plain-text peer on a TLS port
  std::optional<std::string> plain_text_error(const char* data, std::size_t n) const;
  void arm_handshake_timer();
  void send_now(const std::string& bytes); // best effort, before a close: an alert, a refusal

  // -- write side: one gather write in flight; everything queued meanwhile goes next --
  template <class Frames> void enqueue(const Frames& frames);
  void flush();         // loop: starts a write of what waits (ready_writers calls it), or goes idle
  void lay_out_plain(); // in_flight_ as buffers_, without TLS
  void write_some();    // the unwritten rest of in_flight_
  void seal_in_flight(); // TLS: in_flight_ (and any handshake output) into tls_->cipher
  void on_written(const boost::system::error_code& ec, std::size_t n);

  // -- outbound policy: back-pressure and slow consumers (tcp_connection_outbound.cpp) --
  void watch_outbound();                      // loop; ticks while the queue is high
  bool judge_outbound(std::size_t extra);     // under out_mutex_: true if the connection is cut
  void set_pressing(bool press);              // under out_mutex_
  std::size_t kernel_unsent() const;          // under out_mutex_, not ending
  void cut_slow_consumer(std::size_t queued); // under out_mutex_
  void drop_unwritten_frames();               // loop: keep only a frame begun on the wire
  std::string slow_consumer_reason() const;
  void tell_owner(std::string reason); // once: the owner hears of the end, even before finish()

  void arm_close_timer(ending why); // closing or cut: a cut waits longer for its ERROR
  void close_when_idle();           // closes the socket once no wait or write is pending on it
  void finish(std::string reason);  // loop only; idempotent

  static socket_type on_own_loop(tcp::socket socket);

  socket_type socket_;
  tcp::endpoint peer_;
  int native_fd_ = -1;     // for the send-queue query from any thread (peer_backed_up)
  ready_writers* writers_; // of the loop: where a first send hands this connection to write
  connection_limits limits_;
  frame_decoder decoder_;
  connection_owner owner_; // dropped in finish(): breaks the owner <-> connection cycle
  std::shared_ptr<close_watcher> watcher_;
  bool finished_ = false; // loop only: finish() ran (the sides end as their I/O completes)
  std::shared_ptr<outbound_pressure> pressure_;
  std::optional<frame> slow_consumer_notice_;
  read_state read_ = read_state::reading; // loop only
  read_holds holds_;                      // loop only: why reading is parked
  wait_memory wait_memory_;               // loop only: the pending read wait's operation
  write_state write_ = write_state::idle; // loop only
  std::atomic<uint32_t> unhandled_{0};
  std::atomic<int64_t> last_read_ns_;
  std::atomic<uint64_t> bytes_in_{0};
  std::atomic<uint64_t> bytes_out_{0};

  std::mutex out_mutex_; // guards the fields below up to in_flight_; never held over I/O
  outbound_queue<queued_frames> out_;
  ending ending_ = ending::open;
  bool pressing_ = false; // this connection presses pressure_
  bool watching_ = false; // watch_outbound() is scheduled
  outbound_policy policy_;

  queued_frames in_flight_;                         // loop only
  std::vector<asio::const_buffer> buffers_;         // loop only: in_flight_'s bytes
  std::size_t next_buffer_ = 0;                     // loop only: first not fully written
  std::unique_ptr<asio::steady_timer> watch_timer_; // only once the queue has been high
  std::unique_ptr<asio::steady_timer> close_timer_; // only while a graceful close waits

  // TLS only (secure()); loop only.
  struct tls_side {
    std::unique_ptr<tls_session> session;
    std::optional<frame> plain_text_refusal;
    std::string cipher; // the records being written
    std::unique_ptr<asio::steady_timer> handshake_timer;
  };
  std::unique_ptr<tls_side> tls_; // one pointer on a plain connection
};

} // namespace chat::transport
