// ws_socket.hpp -- the TCP socket under a plain (ws://) WebSocket stream: Beast's next layer,
// everything the socket's own but how a read hands its buffers to Asio. Made by http_session
// when a request upgrades; ws_connection reaches the socket through get_lowest_layer as before.
//
// Why: Beast reads into a circular buffer, whose free space is a pair of pieces of Beast's own
// type. Asio knows no such type, so the pending read of every idle connection kept room for 64
// iovecs (1 KB on io_uring; BENCHMARKS.md "An idle WebSocket connection"). Handed over as a
// std::array of two pieces, which Asio has a special case for, it keeps room for two.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <algorithm>
#include <array>
#include <iterator>
#include <utility>

namespace chat::transport {

class ws_socket {
public:
  using socket_type = boost::asio::ip::tcp::socket;
  using executor_type = socket_type::executor_type;

  explicit ws_socket(socket_type socket) : socket_(std::move(socket)) {}

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  socket_type& next_layer() noexcept { return socket_; }

  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    auto first = boost::asio::buffer_sequence_begin(buffers);
    auto last = boost::asio::buffer_sequence_end(buffers);
    if (std::distance(first, last) > 2) // never from Beast's own buffer; kept correct anyway
      return socket_.async_read_some(buffers, std::forward<Handler>(handler));
    std::array<boost::asio::mutable_buffer, 2> pieces{};
    std::copy(first, last, pieces.begin());
    socket_.async_read_some(pieces, std::forward<Handler>(handler));
  }

  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    socket_.async_write_some(buffers, std::forward<Handler>(handler));
  }

private:
  socket_type socket_;
};

// The closing handshake's teardown (found by Beast through argument-dependent lookup): the
// socket's.
inline void teardown(boost::beast::role_type role, ws_socket& s, boost::system::error_code& ec) {
  boost::beast::websocket::teardown(role, s.next_layer(), ec);
}

template <class Handler>
void async_teardown(boost::beast::role_type role, ws_socket& s, Handler&& handler) {
  boost::beast::websocket::async_teardown(role, s.next_layer(), std::forward<Handler>(handler));
}

} // namespace chat::transport
