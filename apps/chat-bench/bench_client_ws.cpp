// bench_client_ws.cpp -- bench_client over a WebSocket (--transport=ws): the handshake at /ws,
// then the same frames the TCP client sends and reads, each as one JSON text message
// (messages/protocol_json.hpp), so everything above the bytes (pacing, stamps, accounting) is
// shared with TCP. A received message becomes the frame it stands for and goes through the
// client's framing, exactly as bytes from a TCP socket do.
#include "apps/chat-bench/bench_client.hpp"

#include "messages/protocol_json.hpp"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>

namespace chat::bench {

namespace {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;

} // namespace

void bench_client::ws_handshake() {
  ws_ = std::make_unique<websocket::stream<asio::ip::tcp::socket&>>(socket_);
  ws_->read_message_max(json::max_json_size(default_max_frame));
  auto host = plan_.servers[server_].address().to_string() + ':' +
              std::to_string(plan_.servers[server_].port());
  wait_pending_ = true; // the handshake reads and writes on the socket
  ws_->async_handshake(host, "/ws", [this](const boost::system::error_code& ec) {
    wait_pending_ = false;
    if (state_ == state::closed) return release_socket();
    if (ec) return fail("websocket handshake: " + ec.message());
    bench_stats::this_thread_shard().add(counter::connected);
    send_login();
    ws_read();
  });
}

void bench_client::ws_read() {
  wait_pending_ = true;
  ws_->async_read(ws_in_,
                  [this](const boost::system::error_code& ec, std::size_t) { on_ws_read(ec); });
}

void bench_client::on_ws_read(const boost::system::error_code& ec) {
  wait_pending_ = false;
  if (state_ == state::closed) return release_socket();
  if (ec)
    return fail(ec == websocket::error::closed ? "closed by the server" : "read: " + ec.message());
  // No kernel receive stamp for a message: latency ends when it is read.
  auto arrived = steady_now_ns();
  auto text = boost::beast::buffers_to_string(ws_in_.data());
  ws_in_.consume(ws_in_.size());
  auto converted = json::frame_from_json(text, json::direction::server_to_client);
  if (auto* why = std::get_if<std::string>(&converted))
    return fail("bad JSON from the server: " + *why);
  const auto& bytes = chat::bytes(std::get<frame>(converted));
  bool intact = framing_.feed(bytes.data(), bytes.size(),
                              [this, arrived](inbound_kind kind, std::string_view payload) {
                                if (state_ != state::closed) on_frame(kind, payload, arrived);
                              });
  if (state_ == state::closed) return release_socket();
  if (!intact) return fail("bad frame from the server");
  if (own_returned_) {
    own_returned_ = false;
    pump();
  }
  ws_read();
}

void bench_client::ws_flush() {
  if (state_ == state::closed) return;
  // Each whole frame queued in out_ becomes one JSON message (they are whole: the framing
  // appends frames, never parts of one).
  std::size_t at = 0;
  while (at + header_size <= out_.size()) {
    int32_t body = 0;
    std::memcpy(&body, out_.data() + at, sizeof body);
    auto size = header_size - 1 + static_cast<std::size_t>(body);
    auto type = static_cast<uint8_t>(out_[at + header_size - 1]);
    auto json = json::json_from_frame(
        type, std::string_view{out_.data() + at + header_size, size - header_size},
        json::direction::client_to_server);
    if (auto* why = std::get_if<std::string>(&json)) return fail("cannot send as JSON: " + *why);
    ws_out_.push_back(std::move(std::get<json::json_text>(json).text));
    at += size;
  }
  out_.clear();
  if (write_busy_ || ws_out_.empty()) return;
  write_busy_ = true;
  ws_->text(true);
  ws_->async_write(asio::buffer(ws_out_.front()),
                   [this](const boost::system::error_code& ec, std::size_t) {
                     write_busy_ = false;
                     ws_out_.pop_front();
                     if (state_ == state::closed) return release_socket();
                     if (ec) return fail("write: " + ec.message());
                     ws_flush();
                   });
}

} // namespace chat::bench
