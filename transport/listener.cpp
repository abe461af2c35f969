#include "transport/listener.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <vector>

namespace chat::transport {

namespace {

// After an accept error that more accepting cannot fix (out of file descriptors or memory),
// wait this long so the loop does not spin while the condition lasts.
constexpr std::chrono::milliseconds accept_back_off{100};

bool is_resource_exhaustion(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
         ec == asio::error::no_memory ||
         ec == boost::system::error_code{ENFILE, boost::system::system_category()};
}

} // namespace

listener::listener(asio::io_context& ioc, const tcp::endpoint& where,
                   const connection_limits& limits, accept_callback on_accept)
    : ioc_(ioc), acceptor_(asio::make_strand(ioc)), limits_(limits),
      on_accept_(std::move(on_accept)), retry_timer_(acceptor_.get_executor()) {
  acceptor_.open(where.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(where);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  local_ = acceptor_.local_endpoint();
}

void listener::start() {
  asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->accept(); });
}

void listener::accept() {
  acceptor_.async_accept(asio::make_strand(ioc_),
                         [self = shared_from_this()](auto ec, tcp::socket socket) {
                           self->on_accept(ec, std::move(socket));
                         });
}

void listener::on_accept(const boost::system::error_code& ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return; // stop()
  if (ec) return back_off(ec);
  auto conn = std::make_shared<tcp_connection>(std::move(socket), limits_);
  {
    std::lock_guard<std::mutex> guard{open_mutex_};
    open_.emplace(conn.get(), conn);
  }
  spdlog::debug("accepted {}", conn->peer());
  auto owner = on_accept_(conn);
  conn->start(std::move(owner), [weak = weak_from_this(), key = conn.get()] {
    if (auto self = weak.lock()) {
      std::lock_guard<std::mutex> guard{self->open_mutex_};
      self->open_.erase(key);
    }
  });
  accept();
}

void listener::back_off(const boost::system::error_code& ec) {
  if (!is_resource_exhaustion(ec)) { // e.g. the peer reset before we accepted: try the next one
    spdlog::debug("accept failed: {}; accepting on", ec.message());
    return accept();
  }
  spdlog::warn("accept failed: {}; retrying in {} ms ({} connections open)", ec.message(),
               accept_back_off.count(), open_connections());
  retry_timer_.expires_after(accept_back_off);
  retry_timer_.async_wait([self = shared_from_this()](auto wait_ec) {
    if (!wait_ec && self->acceptor_.is_open()) self->accept();
  });
}

void listener::stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_timer_.cancel();
    self->for_each_open([](tcp_connection& c) { c.close(); });
  });
}

void listener::abort_all(const std::string& reason) {
  for_each_open([&reason](tcp_connection& c) { c.abort(reason); });
}

template <class F> void listener::for_each_open(F f) {
  std::vector<std::shared_ptr<tcp_connection>> open; // act outside the lock
  {
    std::lock_guard<std::mutex> guard{open_mutex_};
    open.reserve(open_.size());
    for (auto& entry : open_)
      if (auto c = entry.second.lock()) open.push_back(std::move(c));
  }
  for (auto& c : open)
    f(*c);
}

std::size_t listener::open_connections() const {
  std::lock_guard<std::mutex> guard{open_mutex_};
  return open_.size();
}

} // namespace chat::transport
