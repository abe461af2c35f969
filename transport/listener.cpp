#include "transport/listener.hpp"
#include "messages/counters.hpp"
#include "transport/idle_rule.hpp"

#include "transport/steady_now.hpp"

#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <algorithm>
#include <vector>

namespace chat::transport {

namespace {

using namespace std::chrono_literals;

// After an accept error that more accepting cannot fix (out of file descriptors or memory),
// wait this long so the loop does not spin while the condition lasts.
constexpr auto accept_back_off = 100ms;

bool is_resource_exhaustion(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
         ec == asio::error::no_memory ||
         ec == boost::system::error_code{ENFILE, boost::system::system_category()};
}

} // namespace

listener::listener(asio::io_context& ioc, const tcp::endpoint& where,
                   const connection_limits& limits, listener_policy policy,
                   accept_callback on_accept)
    : ioc_(ioc), acceptor_(asio::make_strand(ioc)), limits_(limits), policy_(std::move(policy)),
      on_accept_(std::move(on_accept)), retry_timer_(acceptor_.get_executor()),
      sweep_timer_(acceptor_.get_executor()) {
  acceptor_.open(where.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(where);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  local_ = acceptor_.local_endpoint();
}

class listener::departures final : public close_watcher {
public:
  departures(std::weak_ptr<listener> of, std::shared_ptr<connection_slots> slots)
      : of_(std::move(of)), slots_(std::move(slots)) {}

  void closed(const tcp_connection& c) override {
    slots_->give_back();
    if (auto self = of_.lock()) {
      std::lock_guard<std::mutex> guard{self->open_mutex_};
      self->open_.erase(&c);
    }
  }

private:
  std::weak_ptr<listener> of_;
  std::shared_ptr<connection_slots> slots_;
};

void listener::start() {
  departures_ = std::make_shared<departures>(weak_from_this(), policy_.slots);
  asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
    self->accept();
    self->sweep();
  });
}

void listener::accept() {
  accepting_ = true;
  // Onto a loop's plain io_context: one thread runs it, so the connection needs no strand.
  auto& loops = policy_.connection_loops;
  auto& onto = loops.empty() ? ioc_ : *loops[next_loop_++ % loops.size()];
  acceptor_.async_accept(onto.get_executor(),
                         [self = shared_from_this()](auto ec, tcp_connection::socket_type socket) {
                           self->on_accept(ec, std::move(socket));
                         });
}

void listener::on_accept(const boost::system::error_code& ec, tcp_connection::socket_type socket) {
  accepting_ = false;
  if (stopping_) return close_acceptor();
  if (ec) return back_off(ec);
  if (!policy_.slots->try_take())
    refuse(std::move(socket));
  else
    admit(std::move(socket));
  accept();
}

// Like tcp_connection: shutdown() ends a pending accept (EINVAL), and only then is the acceptor
// closed, because closing it with the accept pending is what Boost 1.81's io_uring backend gets
// wrong.
void listener::close_acceptor() {
  boost::system::error_code ignored;
  if (accepting_)
    ::shutdown(acceptor_.native_handle(), SHUT_RD);
  else
    acceptor_.close(ignored);
}

void listener::admit(tcp_connection::socket_type socket) {
  counters::add(counters::total::accepted_tcp);
  if (refused_ > 0) {
    spdlog::info("accepting again after refusing {} connections", refused_);
    refused_ = 0;
  }
  auto conn = std::make_shared<tcp_connection>(std::move(socket), limits_, pressure_,
                                               policy_.slow_consumer_notice);
  if (policy_.tls)
    conn->secure(std::make_unique<tls_session>(policy_.tls->current(), tls_session::role::server),
                 policy_.plain_text_refusal);
  std::size_t open = 0;
  {
    std::lock_guard<std::mutex> guard{open_mutex_};
    open_.emplace(conn.get(), conn);
    open = open_.size();
  }
  spdlog::debug("open peer={} connections={}", conn->peer(), open);
  auto owner = on_accept_(conn);
  conn->start(std::move(owner), departures_);
}

// Past --max-connections: tell the client why, then close; accepting goes on.
void listener::refuse(tcp_connection::socket_type socket) {
  if (refused_++ == 0)
    spdlog::warn("server full: refusing new connections ({} open, --max-connections={})",
                 policy_.slots->taken(), policy_.slots->limit());
  auto held = std::make_shared<tcp_connection::socket_type>(std::move(socket));
  auto close = [held](auto...) {
    boost::system::error_code ignored;
    held->shutdown(tcp::socket::shutdown_both, ignored);
    held->close(ignored);
  };
  if (!policy_.refusal) return close();
  asio::async_write(*held, asio::buffer(bytes(*policy_.refusal)),
                    [refusal = *policy_.refusal, close](auto ec, auto n) { close(ec, n); });
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
    if (!wait_ec && !self->stopping_) self->accept();
  });
}

// One timer for all connections, instead of one per connection: an idle connection costs no
// timer, and a sweep over 20,000 connections is a few hundred microseconds.
void listener::sweep() {
  if (stopping_) return;
  auto now = steady_now_ns();
  for_each_open([&](tcp_connection& c) { apply_idle_rule(c, now, policy_); });
  sweep_timer_.expires_after(idle_sweep_period(policy_));
  sweep_timer_.async_wait([self = shared_from_this()](auto ec) {
    if (!ec) self->sweep();
  });
}

void listener::stop(std::optional<frame> farewell) {
  asio::post(acceptor_.get_executor(), [self = shared_from_this(), farewell] {
    if (self->stopping_) return;
    self->stopping_ = true;
    self->close_acceptor();
    self->retry_timer_.cancel();
    self->sweep_timer_.cancel();
    self->for_each_open([&farewell](tcp_connection& c) {
      if (farewell) c.send(*farewell);
      c.close();
    });
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
