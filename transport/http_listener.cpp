#include "transport/http_listener.hpp"
#include "messages/counters.hpp"

#include "transport/steady_now.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace chat::transport {

namespace http = boost::beast::http;
using boost::beast::flat_buffer;

namespace {
// In http_listener::probed_: the connection got its idle farewell and is closing.
constexpr int64_t farewell_said = -1;
} // namespace

// One HTTP connection: requests one after the other (keep-alive), each answered from the page
// callback, until the limits end it or a request upgrades it to a WebSocket. Every operation
// runs on the session's strand; its timer shuts the socket down (pending operations complete)
// rather than closing it under them.
class http_session : public std::enable_shared_from_this<http_session> {
public:
  http_session(tcp::socket socket, std::shared_ptr<http_listener> listener)
      : socket_(std::move(socket)),
        strand_(asio::make_strand(static_cast<asio::io_context&>(
            asio::query(socket_.get_executor(), asio::execution::context)))),
        timer_(strand_), listener_(std::move(listener)) {
    listener_->opened();
  }
  ~http_session() {
    if (counted_) listener_->closed(this);
  }

  void start() {
    asio::dispatch(strand_, [self = shared_from_this()] { self->read_request(); });
  }

  // The server stops: an answer being written still goes, then the connection ends.
  void shut() {
    asio::post(strand_, [self = shared_from_this()] { self->end(); });
  }

private:
  void read_request() {
    if (listener_->stopping()) return end();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(listener_->http().max_header_bytes));
    parser_->body_limit(listener_->http().max_body_bytes);
    arm(served_ == 0 ? listener_->http().request_timeout : listener_->http().keep_alive_idle);
    busy_ = true;
    http::async_read(socket_, buffer_, *parser_,
                     asio::bind_executor(strand_, [self = shared_from_this()](auto ec, auto) {
                       self->busy_ = false;
                       self->on_request(ec);
                     }));
  }

  void on_request(const boost::system::error_code& ec) {
    timer_.cancel();
    if (ended_) return end();
    if (ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted)
      return end();
    if (ec == http::error::header_limit) return refuse(431, "request header too large");
    if (ec == http::error::body_limit) return refuse(413, "request body too large");
    if (ec) return refuse(400, "bad request: " + ec.message());
    auto& req = parser_->get();
    auto target = std::string_view{req.target().data(), req.target().size()};
    auto path = target.substr(0, target.find('?'));
    if (websocket::is_upgrade(req)) {
      if (path != "/ws") return refuse(404, "no WebSocket at " + std::string{path});
      return upgrade(parser_->release());
    }
    if (path == "/ws") return refuse(426, "this is the WebSocket endpoint: upgrade to websocket");
    if (req.method() != http::verb::get && req.method() != http::verb::head)
      return refuse(405, "only GET and HEAD");
    auto page = listener_->pages() ? listener_->pages()(path) : std::nullopt;
    if (!page) return refuse(404, "not found: " + std::string{path});
    ++served_;
    bool keep = req.keep_alive() && served_ < listener_->http().max_requests_per_connection;
    respond(page->status, page->content_type,
            req.method() == http::verb::head ? std::string{} : std::move(page->body), keep,
            req.method() == http::verb::head ? page->body.size() : 0);
  }

  // An error answer closes the connection: after a bad request the stream cannot be trusted.
  void refuse(unsigned status, std::string why) {
    spdlog::debug("http {} peer={}: {}", status, peer(), why);
    respond(status, "text/plain; charset=utf-8", why + "\n", false, 0);
  }

  void respond(unsigned status, const std::string& type, std::string body, bool keep,
               std::size_t head_length) {
    auto res =
        std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status), 11);
    res->set(http::field::server, "cafchat");
    res->set(http::field::content_type, type);
    res->set(http::field::cache_control, "no-store");
    if (status == 405) res->set(http::field::allow, "GET, HEAD");
    if (status == 426) res->set(http::field::upgrade, "websocket");
    res->body() = std::move(body);
    res->keep_alive(keep);
    res->prepare_payload();
    if (head_length > 0) res->content_length(head_length);
    arm(listener_->http().request_timeout);
    busy_ = true;
    http::async_write(
        socket_, *res,
        asio::bind_executor(strand_, [self = shared_from_this(), res, keep](auto ec, auto) {
          self->busy_ = false;
          self->timer_.cancel();
          if (ec || !keep || self->ended_) return self->end();
          self->read_request();
        }));
  }

  void upgrade(http::request<http::string_body> req) {
    auto ws = std::make_shared<ws_stream>(std::move(socket_));
    ws->set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "cafchat"); }));
    arm(listener_->http().request_timeout);
    busy_ = true;
    handshaking_ = ws;
    auto req_kept = std::make_shared<http::request<http::string_body>>(std::move(req));
    ws->async_accept(
        *req_kept, asio::bind_executor(strand_, [self = shared_from_this(), ws, req_kept](auto ec) {
          self->busy_ = false;
          self->handshaking_.reset();
          self->timer_.cancel();
          if (ec || self->ended_) {
            boost::system::error_code ignored;
            ws->next_layer().close(ignored);
            return;
          }
          self->counted_ = false; // from now on it counts as a WebSocket
          self->listener_->upgraded(std::move(*ws), self.get());
        }));
    upgraded_ = true;
  }

  void arm(std::chrono::milliseconds timeout) {
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this()](auto ec) {
      if (ec) return;
      spdlog::debug("http timeout peer={}", self->peer());
      self->end();
    });
  }

  // Shuts the socket down (a pending read or write then completes), closes it once idle.
  void end() {
    ended_ = true;
    timer_.cancel();
    boost::system::error_code ignored;
    if (upgraded_) { // the socket went to the WebSocket; a handshake still pending ends too
      if (handshaking_) handshaking_->next_layer().shutdown(tcp::socket::shutdown_both, ignored);
      return;
    }
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    if (!busy_) socket_.close(ignored);
  }

  std::string peer() const {
    boost::system::error_code ec;
    auto ep = socket_.remote_endpoint(ec);
    return ec ? std::string{"?"} : ep.address().to_string() + ':' + std::to_string(ep.port());
  }

  tcp::socket socket_;
  asio::strand<asio::io_context::executor_type> strand_; // see ws_connection.hpp
  asio::steady_timer timer_;
  std::shared_ptr<http_listener> listener_;
  flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  unsigned served_ = 0;
  bool busy_ = false; // a read, write or handshake is pending on the socket
  bool ended_ = false;
  bool upgraded_ = false;
  bool counted_ = true;                    // among the listener's open HTTP connections
  std::shared_ptr<ws_stream> handshaking_; // while the WebSocket handshake is pending
};

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
      auto session = std::make_shared<http_session>(std::move(socket), self);
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

void http_listener::upgraded(ws_stream ws, const http_session* from) {
  auto conn = std::make_shared<ws_connection>(std::move(ws), limits_, pressure_,
                                              policy_.slow_consumer_notice);
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

// As the TCP listener's sweep: one timer for every WebSocket. A silent one gets a WebSocket
// ping (a browser answers it without any code of the page), then, still silent, the farewell.
void http_listener::sweep() {
  using namespace std::chrono;
  auto now = steady_now_ns();
  auto interval = duration_cast<nanoseconds>(policy_.idle_interval).count();
  auto timeout = duration_cast<nanoseconds>(policy_.idle_timeout).count();
  std::vector<std::shared_ptr<ws_connection>> silent, to_probe;
  {
    std::lock_guard<std::mutex> lock{ws_mutex_};
    for (auto& [raw, weak] : websockets_) {
      auto c = weak.lock();
      if (!c) continue;
      auto idle = now - c->last_read_ns();
      auto& probed = probed_[raw];
      if (probed == farewell_said) continue; // closing; the sweep has said all it had to
      if (idle >= timeout) {
        probed = farewell_said;
        silent.push_back(c);
      } else if (idle >= interval && probed <= c->last_read_ns()) {
        probed = now;
        to_probe.push_back(c);
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
  auto period = std::clamp<milliseconds>(std::min(policy_.idle_interval, policy_.idle_timeout) / 4,
                                         milliseconds{10}, milliseconds{1000});
  sweep_timer_.expires_after(period);
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
