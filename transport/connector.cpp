#include "transport/connector.hpp"

#include <future>

namespace chat::transport {

namespace {

// One attempt in flight: the resolver and socket live until the attempt completes.
struct connect_attempt : std::enable_shared_from_this<connect_attempt> {
  connect_attempt(asio::io_context& ioc, const connection_limits& l, connect_callback cb,
                  tls_context_ptr t)
      : resolver(ioc), socket(ioc), limits(l), done(std::move(cb)), tls(std::move(t)) {}

  void run(const std::string& h, uint16_t port) {
    host = h;
    resolver.async_resolve(host, std::to_string(port),
                           [self = shared_from_this()](auto ec, auto results) {
                             if (ec) return self->done(ec, nullptr);
                             self->connect(results);
                           });
  }

  void connect(const tcp::resolver::results_type& results) {
    asio::async_connect(socket, results, [self = shared_from_this()](auto ec, auto&&) {
      if (ec) return self->done(ec, nullptr);
      auto conn = std::make_shared<tcp_connection>(std::move(self->socket), self->limits);
      if (self->tls)
        conn->secure(
            std::make_unique<tls_session>(self->tls, tls_session::role::client, self->host));
      self->done(ec, std::move(conn));
    });
  }

  tcp::resolver resolver;
  tcp::socket socket;
  connection_limits limits;
  connect_callback done;
  tls_context_ptr tls;
  std::string host;
};

} // namespace

void async_connect(asio::io_context& ioc, const std::string& host, uint16_t port,
                   const connection_limits& limits, connect_callback done, tls_context_ptr tls) {
  std::make_shared<connect_attempt>(ioc, limits, std::move(done), std::move(tls))->run(host, port);
}

std::shared_ptr<tcp_connection> connect(asio::io_context& ioc, const std::string& host,
                                        uint16_t port, const connection_limits& limits,
                                        std::chrono::milliseconds timeout,
                                        boost::system::error_code& ec, tls_context_ptr tls) {
  using result = std::pair<boost::system::error_code, std::shared_ptr<tcp_connection>>;
  auto promise = std::make_shared<std::promise<result>>();
  auto outcome = promise->get_future();
  async_connect(
      ioc, host, port, limits,
      [promise](auto& err, auto conn) {
        promise->set_value({err, std::move(conn)});
      },
      std::move(tls));
  if (outcome.wait_for(timeout) != std::future_status::ready) {
    // The attempt still completes later and is dropped with the promise.
    ec = asio::error::timed_out;
    return nullptr;
  }
  auto [err, conn] = outcome.get();
  ec = err;
  return conn;
}

} // namespace chat::transport
