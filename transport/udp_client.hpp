// udp_client.hpp -- the client's end of a UDP session (docs/PROTOCOL.md "Datagrams (UDP)"): it
// proves it receives at its address (HELLO until a COOKIE answers), then carries frames in DATA
// datagrams both ways behind the same connection interface as TCP, so the client session never
// knows which it owns. Made by async_connect_udp for chat::client (client_options::udp),
// chat-client --udp, chat-bench and tests.
#pragma once

#include "messages/frame.hpp"
#include "messages/interfaces.hpp"
#include "transport/connection.hpp"
#include "transport/udp_datagram.hpp"
#include "transport/udp_packer.hpp"
#include "transport/udp_replay_window.hpp"

#include <boost/asio.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace chat::transport {

namespace asio = boost::asio;

struct udp_client_options {
  // What this end sends at most per datagram; it takes anything up to UDP's own limit.
  std::size_t max_datagram = udp::default_max_datagram;
  std::size_t max_frame = default_max_frame; // the largest frame body taken from the server
  // The waits after each unanswered HELLO, each HELLO with a fresh nonce; then the connect
  // fails with "no answer from the server".
  std::vector<std::chrono::milliseconds> hello_waits{
      std::chrono::milliseconds{500}, std::chrono::milliseconds{1000},
      std::chrono::milliseconds{2000}, std::chrono::milliseconds{4000}};
  // Nothing at all from the server for this long ends the session: a server PINGs a quiet
  // client every --idle-interval (30 s), so this much silence means it is gone.
  std::chrono::milliseconds silence_timeout{100000};
};

class udp_client_connection final : public connection,
                                    public std::enable_shared_from_this<udp_client_connection> {
public:
  // `socket` is connected to the server (the kernel then drops datagrams from anyone else);
  // `c` is the cookie the server's COOKIE gave.
  udp_client_connection(asio::ip::udp::socket socket, const udp::cookie& c,
                        udp_client_options options);
  ~udp_client_connection() override;

  // Hands frames to `owner` from now on. Once.
  void start(connection_owner owner);

  void send(frame f) override;
  void send(const frame_batch& batch) override;
  // What is queued goes out, then CLOSE; the owner hears closed_atom. Idempotent.
  void close() override;
  void frame_done() override {} // UDP has no back-pressure to give the server
  bool carries_large_frames() const override { return true; }
  std::string peer() const override { return peer_text_; }
  traffic counters() const override;

private:
  template <class Frames> void enqueue(const Frames& frames);
  void flush();   // strand
  void receive(); // strand
  void on_datagram(std::size_t size);
  void arm_silence();
  void finish(std::string reason, bool say_close); // strand; idempotent

  asio::ip::udp::socket socket_;
  asio::strand<asio::any_io_executor> strand_;
  asio::steady_timer silence_;
  const udp::cookie cookie_;
  const udp_client_options options_;
  const std::string peer_text_;
  connection_owner owner_;
  std::vector<char> buffer_;
  udp::datagram_packer packer_; // strand only
  udp::replay_window seen_;     // strand only: the server's DATAs by sequence number

  std::mutex out_mutex_; // the queue below; never held over I/O
  bool open_ = true;
  bool flush_posted_ = false;
  std::vector<frame> queue_;
  std::vector<frame> sending_; // strand only

  bool finished_ = false; // strand only
  std::atomic<uint64_t> bytes_in_{0};
  std::atomic<uint64_t> bytes_out_{0};
};

// Asynchronous: resolves `host`, says HELLO and waits for the COOKIE (options.hello_waits), then
// calls `done` once, on an I/O thread, with the connection, or with the reason there is none
// ("no answer from the server", "connection refused: nothing takes UDP on 127.0.0.1:7001").
using udp_connect_callback =
    std::function<void(const std::string& error, std::shared_ptr<udp_client_connection>)>;
void async_connect_udp(asio::io_context& ioc, const std::string& host, uint16_t port,
                       udp_client_options options, udp_connect_callback done);

} // namespace chat::transport
