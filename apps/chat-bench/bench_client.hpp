// bench_client.hpp -- one simulated chat user on a raw Asio socket: connect, log in, answer
// PINGs, check every broadcast it receives and, if it is a sender, broadcast as its pacer allows.
// With protocol version 2 it says HELLO first and then, with --channels, joins its channel and
// sends MSG to it; with --direct it sends DMs and counts their acknowledgements. With
// --large-message it says HELLO {3}, puts PART frames together, and client 0 also sends a large
// MSG in parts now and then (bench_client_large.cpp).
// Created and destroyed by bench_run on the main thread; everything else runs on the client's
// executor (a strand when there are several I/O threads), reached from main only by post().
//
//   idle -> connecting -> logging_in -> ready -> closed     (asio-example: connecting -> ready)
//   --channels: HELLO, LOGIN and JOIN go out together; logging_in -> joining -> ready
//   --tls: connecting -> handshaking -> logging_in (bench_client_tls.cpp)
//
// Handlers capture `this`: bench_run stops and joins the I/O threads before it destroys clients.
//
// A socket is closed only when no operation is pending on it. Boost 1.81's io_uring backend
// (Asio 1.26) submits its cancel requests with a stale user_data, so closing a socket with a wait
// or write in flight can complete *another* socket's operation, or lose one (fixed in Asio
// 1.27: chriskohlhoff/asio#1215). Until then shutdown() makes the pending operation finish.
#pragma once

#include "apps/chat-bench/bench_framing.hpp"
#include "apps/chat-bench/bench_plan.hpp"
#include "apps/chat-bench/bench_stats.hpp"
#include "apps/chat-bench/send_pacer.hpp"
#include "apps/chat-bench/sequence_window.hpp"
#include "apps/chat-bench/server_spread.hpp"
#include "messages/multipart.hpp"
#include "messages/multipart_reassembly.hpp"
#include "messages/protocol_v2.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::bench {

class tls_channel;

// --transport=udp (bench_udp.hpp); deleted in bench_client_udp.cpp, where the type is whole.
class udp_channel;
struct udp_channel_deleter {
  void operator()(udp_channel* channel) const;
};

class bench_client {
public:
  bench_client(boost::asio::any_io_executor executor, const bench_plan& plan, run_state& run,
               std::size_t index);

  ~bench_client();
  bench_client(const bench_client&) = delete;
  bench_client& operator=(const bench_client&) = delete;

  const boost::asio::any_io_executor& executor() { return executor_; }

  // -- on the client's executor only ----------------------------------------------------------
  void start_connect();
  void start_sending(); // senders in state ready: broadcast from now until the drain
  void give_up();       // end of the connect phase: a client not ready yet counts as failed
  void close();         // our own close at the end of the run; idempotent

private:
  enum class state : uint8_t { idle, connecting, handshaking, logging_in, joining, ready, closed };

  bool open_socket();    // open, and bind a source address if asked for
  void release_socket(); // closes the socket once no operation of ours is pending on it
  void on_connected(const boost::system::error_code& ec);
  void send_login(); // LOGIN, with HELLO before it and JOIN after it for version 2
  void logged_in();  // Login OK: counted, then joining or ready
  void become_ready();
  void fail(std::string_view why); // counted by state, then closed

  // -- read side: wait for readability, then read into the thread's buffer ---------------------
  void wait_readable();
  void on_readable(const boost::system::error_code& ec);
  bool read_available(); // false once the connection is gone
  bool take_bytes(const char* data, std::size_t n, uint64_t arrived_ns); // false: gone
  void on_frame(inbound_kind kind, std::string_view payload, uint64_t arrived_ns);
  void on_broadcast(std::string_view payload, uint64_t arrived_ns);
  void on_stamped(std::string_view text, uint64_t arrived_ns); // a v1 broadcast, a MSG or a DM
  void on_login_reply(std::string_view text);
  void on_server_error(std::string_view text);
  void own_message_settled(); // an own broadcast or MSG came back, or was refused: pacer slot

  // -- protocol version 2 (bench_client_receive.cpp) --------------------------------------------
  void on_hello_reply(std::string_view payload);
  void on_msg(std::string_view payload, uint64_t arrived_ns);
  void on_dm(std::string_view payload, uint64_t arrived_ns);
  void on_reply(std::string_view payload, uint64_t arrived_ns);
  void on_dm_ack(bool ok, uint32_t ref, std::string_view text, uint64_t arrived_ns);
  void on_refused(std::string_view text); // a MSG or DM the server would not take

  // -- --large-message (bench_client_large.cpp): large MSGs in PART frames ---------------------
  bool large_hello(const v2::hello_reply& hello); // the server's bounds; false: the client failed
  void start_large();                             // client 0: the large MSGs' timer
  void arm_large_ticker();
  void on_large_tick(const boost::system::error_code& ec);
  void send_large();      // one large MSG, its parts queued for the writes to come
  void take_large_part(); // before a write: one queued part after what is in out_
  void on_part(std::string_view payload, uint64_t arrived_ns);
  void on_large_msg(std::string_view text, uint64_t arrived_ns); // whole, from parts
  void on_large_refused(std::string_view why);                   // counted, never delivered

  // -- --transport=ws (bench_client_ws.cpp): the same frames, each a JSON text message --------
  void ws_handshake();
  void ws_read();
  void on_ws_read(const boost::system::error_code& ec);
  void ws_flush(); // out_'s frames become JSON messages, written one at a time

  // -- --tls (bench_client_tls.cpp): the socket's bytes pass through a TLS session -------------
  bool tls_start(); // false if the client failed
  void tls_established();
  bool tls_receive(char* buf, std::size_t n, std::size_t capacity, uint64_t arrived_ns);
  void tls_flush(); // out_'s frames sealed into records, after what the session has to say

  // -- --transport=udp (bench_client_udp.cpp): HELLO until a COOKIE, then frames in DATAs ------
  void udp_start(); // instead of the TCP connect
  void udp_say_hello();
  void udp_on_timer(const boost::system::error_code& ec);
  void udp_check_window(); // a sender's slots back after loss
  void udp_wait();
  void udp_on_readable(const boost::system::error_code& ec);
  bool udp_take(const char* data, std::size_t n, uint64_t arrived_ns); // false: gone
  void udp_flush();   // out_'s frames packed into DATAs, sent now
  void udp_release(); // our CLOSE, then the socket as release_socket does

  // -- write side: one write in flight; frames queued meanwhile go out together next -----------
  void pump(); // broadcast what the pacer allows
  void arm_ticker();
  void on_tick(const boost::system::error_code& ec);
  void flush();
  void on_flushed(const boost::system::error_code& ec);

  boost::asio::any_io_executor executor_;
  boost::asio::ip::tcp::socket socket_;
  const bench_plan& plan_;
  run_state& run_;
  bench_framing framing_;
  uint32_t index_;
  uint32_t server_;  // index into plan_.servers: server_of(index_)
  uint32_t channel_; // --channels: channel_of(index_); otherwise 0
  state state_ = state::idle;
  bool hello_answered_ = false; // version 2: the server answered HELLO before Login OK
  bool connect_pending_ = false;
  bool wait_pending_ = false;
  bool write_busy_ = false;
  bool own_returned_ = false; // one of our broadcasts came back during this read: pump after
  std::vector<sequence_window> seen_; // per sender (--channels: per sender of our channel)
  std::vector<char> out_;             // frames waiting for the write in flight to finish
  std::vector<char> writing_;         // the bytes of the write in flight

  // --transport=ws: the WebSocket over socket_ (made once connected), what it read, and the
  // JSON messages waiting to be written (the first is in flight while write_busy_).
  std::unique_ptr<boost::beast::websocket::stream<boost::asio::ip::tcp::socket&>> ws_;
  boost::beast::flat_buffer ws_in_;
  std::deque<std::string> ws_out_;

  std::unique_ptr<tls_channel> tls_; // --tls: made once connected

  std::unique_ptr<udp_channel, udp_channel_deleter> udp_; // --transport=udp: at start_connect

  // -- senders only -----------------------------------------------------------------------------
  struct sender_part {
    uint32_t id;
    std::string text; // the payload; its stamp is rewritten for each broadcast
    uint64_t next_seq = 0;
    std::optional<send_pacer> pacer;                   // set by start_sending
    std::unique_ptr<boost::asio::steady_timer> ticker; // rated senders only
    uint64_t next_tick_ns = 0;
    std::string dm_to; // --direct: the receiver's name, rebuilt per DM in place
  };
  std::unique_ptr<sender_part> sender_;

  // -- --large-message: every client receives large MSGs; client 0 also sends them ------------
  struct large_part {
    std::optional<v2::message_reassembly> incoming; // made when the HELLO reply says version 3
    sequence_window seen;                           // the large MSGs received, by sequence
    // client 0 only:
    std::optional<v2::message_splitter> splitter; // by the server's max_frame and bounds
    std::deque<frame> outgoing;                   // parts not written yet: one per write
    std::vector<char> scratch;                    // a large MSG's request, before it is cut
    std::string text;                             // the large text, stamped per message
    uint64_t next_seq = 0;
    std::unique_ptr<boost::asio::steady_timer> ticker;
    uint64_t next_tick_ns = 0;
  };
  std::unique_ptr<large_part> large_;
};

} // namespace chat::bench
