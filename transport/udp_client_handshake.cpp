// udp_client_handshake.cpp -- async_connect_udp: HELLO (padded, with a fresh random nonce each
// time) until the server's COOKIE echoes one of them, with back-off; then the session is the
// cookie's (docs/PROTOCOL.md "The handshake", "Loss").
#include "transport/udp_client.hpp"

#include <openssl/rand.h>

#include <algorithm>

namespace chat::transport {

namespace {

class udp_handshake : public std::enable_shared_from_this<udp_handshake> {
public:
  udp_handshake(asio::io_context& ioc, std::string host, uint16_t port, udp_client_options options,
                udp_connect_callback done)
      : strand_(asio::make_strand(ioc)), resolver_(strand_), socket_(strand_), timer_(strand_),
        host_(std::move(host)), port_(port), options_(std::move(options)), done_(std::move(done)),
        buffer_(udp::max_max_datagram + 1) {}

  void start() {
    resolver_.async_resolve(
        host_, std::to_string(port_),
        [self = shared_from_this()](const boost::system::error_code& ec,
                                    asio::ip::udp::resolver::results_type results) {
          if (ec) return self->fail("cannot resolve " + self->host_ + ": " + ec.message());
          self->open(*results.begin());
        });
  }

private:
  void open(const asio::ip::udp::endpoint& server) {
    boost::system::error_code ec;
    socket_.open(server.protocol(), ec);
    if (!ec) socket_.connect(server, ec); // only the server's datagrams reach us from now on
    if (ec) return fail("cannot open a UDP socket to " + where() + ": " + ec.message());
    receive();
    say_hello();
  }

  std::string where() const { return host_ + ":" + std::to_string(port_); }

  void say_hello() {
    udp::nonce nonce{};
    if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1)
      return fail("no random bytes for the UDP handshake");
    nonces_.push_back(nonce);
    auto hello = udp::encode_hello(nonce, udp::min_hello_size);
    boost::system::error_code ec;
    socket_.send(asio::buffer(hello), 0, ec); // lost or refused: the timer says HELLO again
    timer_.expires_after(options_.hello_waits.at(attempt_));
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->finished_) return;
      if (++self->attempt_ >= self->options_.hello_waits.size())
        return self->fail("no answer from the server (UDP " + self->where() + ")");
      self->say_hello();
    });
  }

  void receive() {
    socket_.async_receive(
        asio::buffer(buffer_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
          if (self->finished_ || ec == asio::error::operation_aborted) return;
          if (ec == asio::error::connection_refused)
            return self->fail("connection refused: nothing takes UDP on " + self->where());
          if (!ec && self->take(n)) return;
          self->receive();
        });
  }

  // True once the COOKIE that answers our latest HELLO is in: the session begins.
  bool take(std::size_t n) {
    udp::datagram_limits limits{udp::max_max_datagram, options_.max_frame};
    auto decoded = udp::decode_datagram({buffer_.data(), n}, limits);
    auto* d = std::get_if<udp::datagram>(&decoded);
    // A COOKIE for an older HELLO of ours is as good: the server saw that one. One that echoes
    // no nonce of ours is forged by someone off the path, and dropped.
    if (d == nullptr || d->kind != udp::datagram_kind::cookie ||
        std::find(nonces_.begin(), nonces_.end(), d->echo) == nonces_.end())
      return false;
    finished_ = true;
    timer_.cancel();
    auto conn = std::make_shared<udp_client_connection>(std::move(socket_), d->cookie, options_);
    auto done = std::move(done_);
    done({}, std::move(conn));
    return true;
  }

  void fail(std::string reason) {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored);
    auto done = std::move(done_);
    done(reason, nullptr);
  }

  asio::strand<asio::io_context::executor_type> strand_;
  asio::ip::udp::resolver resolver_;
  asio::ip::udp::socket socket_;
  asio::steady_timer timer_;
  std::string host_;
  uint16_t port_;
  udp_client_options options_;
  udp_connect_callback done_;
  std::vector<char> buffer_;
  std::vector<udp::nonce> nonces_; // of every HELLO said, at most hello_waits.size()
  std::size_t attempt_ = 0;
  bool finished_ = false;
};

} // namespace

void async_connect_udp(asio::io_context& ioc, const std::string& host, uint16_t port,
                       udp_client_options options, udp_connect_callback done) {
  if (options.hello_waits.empty()) options.hello_waits.push_back(std::chrono::milliseconds{500});
  std::make_shared<udp_handshake>(ioc, host, port, std::move(options), std::move(done))->start();
}

} // namespace chat::transport
