#include "transport/http_listener.hpp"
#include "messages/counters.hpp"

#include "transport/http_session.hpp"
#include "transport/idle_rule.hpp"
#include "transport/steady_now.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace chat::transport {

namespace {
// In http_listener::probed_: the connection got its idle farewell and is closing.
constexpr int64_t farewell_said = -1;
} // namespace

http_listener::http_listener(asio::io_context& ioc, const tcp::endpoint& where,
                             const http_limits& http, const connection_limits& limits,
                             listener_policy policy, std::shared_ptr<outbound_pressure> pressure,
                             page_callback pages, accept_callback on_websocket)
    : ioc_(ioc), acceptor_(ioc), http_(http), limits_(limits), policy_(std::move(policy)),
      pressure_(std::move(pressure)), pages_(std::move(pages)),
      on_websocket_(std::move(on_websocket)), sweep_timer_(ioc) {
  acceptor_.open(where.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(where);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  local_ = acceptor_.local_endpoint();
}

void http_listener::start() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    self->accept();
    self->sweep();
  });
}

void http_listener::accept() {
  acceptor_.async_accept(ioc_, [self = shared_from_this()](auto ec, tcp::socket socket) {
    if (self->stopping()) return;
    if (ec) {
      // Out of descriptors and the like: the TCP listener logs and backs off; so do we.
      spdlog::warn("http accept failed: {}; retrying", ec.message());
      auto retry = std::make_shared<asio::steady_timer>(self->ioc_, std::chrono::milliseconds{100});
      retry->async_wait([self, retry](auto) { self->accept(); });
      return;
    }
    if (!self->policy_.slots->try_take()) {
      // Past the bound: a plain 503, written without waiting (it fits any socket buffer).
      static constexpr std::string_view full = "HTTP/1.1 503 Service Unavailable\r\n"
                                               "Connection: close\r\nContent-Length: 12\r\n"
                                               "Content-Type: text/plain\r\n\r\nserver full\n";
      boost::system::error_code ignored;
      socket.write_some(asio::buffer(full.data(), full.size()), ignored);
      socket.shutdown(tcp::socket::shutdown_both, ignored);
      socket.close(ignored);
    } else {
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay{true}, ignored); // small frames go out at once, as on TCP
      // HTTPS: the credentials' context now; a reload later changes only later connections.
      auto tls = self->policy_.tls ? self->policy_.tls->current() : nullptr;
      auto session = std::make_shared<http_session>(std::move(socket), self, std::move(tls));
      {
        std::lock_guard<std::mutex> lock{self->ws_mutex_};
        self->sessions_[session.get()] = session;
      }
      session->start();
    }
    self->accept();
  });
}

void http_listener::opened() {
  open_.fetch_add(1, std::memory_order_relaxed);
}

void http_listener::closed(const http_session* session) {
  open_.fetch_sub(1, std::memory_order_relaxed);
  policy_.slots->give_back(); // an upgraded session's slot went to its WebSocket instead
  std::lock_guard<std::mutex> lock{ws_mutex_};
  sessions_.erase(session);
}

void http_listener::upgraded(any_ws_stream ws, const http_session* from, tls_context_ptr tls) {
  auto conn = std::make_shared<ws_connection>(std::move(ws), limits_, pressure_,
                                              policy_.slow_consumer_notice, std::move(tls));
  {
    // One step, so open_connections() never counts it twice (or not at all).
    std::lock_guard<std::mutex> lock{ws_mutex_};
    websockets_[conn.get()] = conn;
    sessions_.erase(from);
    open_.fetch_sub(1, std::memory_order_relaxed);
  }
  spdlog::debug("websocket open peer={}", conn->peer());
  counters::add(counters::total::accepted_websocket);
  conn->start(on_websocket_(conn),
              [weak = weak_from_this(), raw = conn.get(), slots = policy_.slots] {
                slots->give_back(); // the slot its HTTP session took
                if (auto self = weak.lock()) self->forget(raw);
              });
}

void http_listener::forget(const ws_connection* ws) {
  std::lock_guard<std::mutex> lock{ws_mutex_};
  websockets_.erase(ws);
  probed_.erase(ws);
}

std::size_t http_listener::open_websockets() const {
  std::lock_guard<std::mutex> lock{ws_mutex_};
  return websockets_.size();
}

std::size_t http_listener::open_connections() const {
  std::lock_guard<std::mutex> lock{ws_mutex_};
  return open_.load(std::memory_order_relaxed) + websockets_.size();
}

// As the TCP listener's sweep (idle_rule.hpp): one timer for every WebSocket. A silent one gets
// a WebSocket ping (a browser answers it without any code of the page), then, still silent, the
// farewell.
void http_listener::sweep() {
  auto now = steady_now_ns();
  std::vector<std::shared_ptr<ws_connection>> silent, to_probe;
  {
    std::lock_guard<std::mutex> lock{ws_mutex_};
    for (auto& [raw, weak] : websockets_) {
      auto c = weak.lock();
      if (!c) continue;
      auto& probed = probed_[raw];
      if (probed == farewell_said) continue; // closing; the sweep has said all it had to
      switch (next_idle_step(c->last_read_ns(), probed, now, policy_, true)) {
      case idle_step::none:
        break;
      case idle_step::probe:
        probed = now;
        to_probe.push_back(c);
        break;
      case idle_step::close:
        probed = farewell_said;
        silent.push_back(c);
        break;
      }
    }
  }
  for (auto& c : silent) {
    spdlog::info("idle timeout peer={} transport=websocket", c->peer());
    if (policy_.idle_farewell) c->send(*policy_.idle_farewell);
    c->close();
  }
  for (auto& c : to_probe)
    c->probe();
  if (stopping()) return;
  sweep_timer_.expires_after(idle_sweep_period(policy_));
  sweep_timer_.async_wait([self = shared_from_this()](auto ec) {
    if (!ec) self->sweep();
  });
}

template <class F> void http_listener::for_each_open(F f) {
  std::vector<std::shared_ptr<ws_connection>> websockets;
  std::vector<std::shared_ptr<http_session>> sessions;
  {
    std::lock_guard<std::mutex> lock{ws_mutex_};
    for (auto& [raw, weak] : websockets_)
      if (auto c = weak.lock()) websockets.push_back(c);
    for (auto& [raw, weak] : sessions_)
      if (auto s = weak.lock()) sessions.push_back(s);
  }
  for (auto& s : sessions)
    s->shut();
  for (auto& c : websockets)
    f(*c);
}

void http_listener::stop(std::optional<frame> farewell) {
  if (stopping_.exchange(true)) return;
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
    self->sweep_timer_.cancel();
  });
  for_each_open([&](ws_connection& c) {
    if (farewell) c.send(*farewell);
    c.close();
  });
}

void http_listener::abort_all(const std::string& reason) {
  for_each_open([&](ws_connection& c) { c.abort(reason); });
}

} // namespace chat::transport
