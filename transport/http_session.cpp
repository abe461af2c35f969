#include "transport/http_session.hpp"

#include "transport/http_listener.hpp"

#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include <type_traits>

namespace chat::transport {

namespace http = boost::beast::http;

namespace {

// Every TLS connection opens with a handshake record; no HTTP request starts with this byte.
constexpr unsigned char tls_handshake_record = 0x16;
// Enough of a ClientHello to decide; the TLS engine reads the rest itself.
constexpr std::size_t sniff_bytes = 2048;

asio::io_context& io_context_of_socket(tcp::socket& s) {
  return static_cast<asio::io_context&>(asio::query(s.get_executor(), asio::execution::context));
}

std::variant<tcp::socket, tls_socket> stream_of(tcp::socket socket, const tls_context_ptr& tls) {
  if (!tls) return std::variant<tcp::socket, tls_socket>{std::in_place_index<0>, std::move(socket)};
  return std::variant<tcp::socket, tls_socket>{std::in_place_index<1>, std::move(socket), *tls};
}

} // namespace

http_session::http_session(tcp::socket socket, std::shared_ptr<http_listener> listener,
                           tls_context_ptr tls)
    : tls_(std::move(tls)), stream_(stream_of(std::move(socket), tls_)),
      strand_(asio::make_strand(io_context_of_socket(this->socket()))), timer_(strand_),
      listener_(std::move(listener)) {
  listener_->opened();
  // A peer whose handshake fails has often gone by the time that is logged.
  if (tls_) peer_ = peer();
}

http_session::~http_session() {
  if (counted_) listener_->closed(this);
}

void http_session::start() {
  asio::dispatch(strand_, [self = shared_from_this()] {
    if (self->tls_)
      self->sniff();
    else
      self->read_request();
  });
}

void http_session::shut() {
  asio::post(strand_, [self = shared_from_this()] { self->end(); });
}

// -- TLS ---------------------------------------------------------------------------------------

// The handshake, from the first byte to its end, is bounded by tls_handshake_timeout: a peer
// that connects and says nothing, or stalls halfway, holds its connection slot no longer.
void http_session::sniff() {
  if (listener_->stopping()) return end();
  arm(listener_->limits().tls_handshake_timeout, "tls handshake timed out", spdlog::level::info);
  busy_ = true;
  socket().async_read_some(
      buffer_.prepare(sniff_bytes),
      asio::bind_executor(strand_, [self = shared_from_this()](auto ec, auto n) {
        self->busy_ = false;
        self->buffer_.commit(n);
        self->on_first_bytes(ec);
      }));
}

void http_session::on_first_bytes(const boost::system::error_code& ec) {
  if (ended_ || ec) return end(); // timed out, stopped, or gone before a word
  auto first = static_cast<const unsigned char*>(buffer_.data().data())[0];
  if (first != tls_handshake_record) return refuse_plain_text();
  busy_ = true;
  // What was read so far is the start of the ClientHello: the engine takes it first.
  std::get<tls_socket>(stream_).async_handshake(
      asio::ssl::stream_base::server, buffer_.data(),
      asio::bind_executor(strand_, [self = shared_from_this()](auto ec, std::size_t used) {
        self->busy_ = false;
        self->buffer_.consume(used);
        self->timer_.cancel();
        if (self->ended_) return self->end();
        if (ec) {
          // The client's side of the story (an alert: it does not trust our certificate) or
          // ours (no shared cipher, not TLS after all), in OpenSSL's words.
          spdlog::info("tls handshake failed peer={} transport=http: {}", self->peer(),
                       ec.message());
          return self->end();
        }
        self->read_request();
      }));
}

// Plain text on the HTTPS port: one plain HTTP answer saying so, then the connection ends.
void http_session::refuse_plain_text() {
  static const std::string answer = [] {
    std::string body = "this port speaks HTTPS: use https:// (and wss:// for the WebSocket)\n";
    return "HTTP/1.1 400 Bad Request\r\nServer: cafchat\r\nConnection: close\r\n"
           "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  spdlog::info("plain text on the https port peer={}: answered 400", peer());
  busy_ = true;
  asio::async_write(socket(), asio::buffer(answer),
                    asio::bind_executor(strand_, [self = shared_from_this()](auto, auto) {
                      self->busy_ = false;
                      self->end();
                    }));
}

// -- HTTP --------------------------------------------------------------------------------------

void http_session::read_request() {
  if (listener_->stopping()) return end();
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(listener_->http().max_header_bytes));
  parser_->body_limit(listener_->http().max_body_bytes);
  arm(served_ == 0 ? listener_->http().request_timeout : listener_->http().keep_alive_idle,
      "http timeout");
  busy_ = true;
  with_stream([this](auto& stream) {
    http::async_read(stream, buffer_, *parser_,
                     asio::bind_executor(strand_, [self = shared_from_this()](auto ec, auto) {
                       self->busy_ = false;
                       self->on_request(ec);
                     }));
  });
}

void http_session::on_request(const boost::system::error_code& ec) {
  timer_.cancel();
  if (ended_) return end();
  if (ec == http::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
      ec == asio::ssl::error::stream_truncated)
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
void http_session::refuse(unsigned status, std::string why) {
  spdlog::debug("http {} peer={}: {}", status, peer(), why);
  respond(status, "text/plain; charset=utf-8", why + "\n", false, 0);
}

void http_session::respond(unsigned status, const std::string& type, std::string body, bool keep,
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
  arm(listener_->http().request_timeout, "http timeout");
  busy_ = true;
  with_stream([&](auto& stream) {
    http::async_write(
        stream, *res,
        asio::bind_executor(strand_, [self = shared_from_this(), res, keep](auto ec, auto) {
          self->busy_ = false;
          self->timer_.cancel();
          if (ec || !keep || self->ended_) return self->end();
          self->read_request();
        }));
  });
}

void http_session::upgrade(request req) {
  upgraded_ = true;
  with_stream([&](auto& stream) { upgrade_on(stream, std::move(req)); });
}

// `next` (the plain socket or the TLS stream) moves into the WebSocket stream: a plain socket as
// ws_socket (any_ws_stream's first alternative), a TLS stream as it is.
template <class Next> void http_session::upgrade_on(Next& next, request req) {
  using layer = std::conditional_t<std::is_same_v<Next, tcp::socket>, ws_socket, Next>;
  auto ws = std::make_shared<websocket::stream<layer>>(std::move(next));
  ws->set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "cafchat"); }));
  arm(listener_->http().request_timeout, "websocket handshake timed out");
  busy_ = true;
  handshaking_ = &boost::beast::get_lowest_layer(*ws);
  auto req_kept = std::make_shared<request>(std::move(req));
  ws->async_accept(
      *req_kept, asio::bind_executor(strand_, [self = shared_from_this(), ws, req_kept](auto ec) {
        self->busy_ = false;
        self->handshaking_ = nullptr;
        self->timer_.cancel();
        if (ec || self->ended_) {
          boost::system::error_code ignored;
          boost::beast::get_lowest_layer(*ws).close(ignored);
          return;
        }
        self->counted_ = false; // from now on it counts as a WebSocket
        self->listener_->upgraded(
            any_ws_stream{std::in_place_type<websocket::stream<layer>>, std::move(*ws)}, self.get(),
            self->tls_);
      }));
}

void http_session::arm(std::chrono::milliseconds timeout, const char* what,
                       spdlog::level::level_enum level) {
  timer_.expires_after(timeout);
  timer_.async_wait([self = shared_from_this(), what, timeout, level](auto ec) {
    if (ec) return;
    spdlog::log(level, "{} peer={} after {} ms", what, self->peer(), timeout.count());
    self->end();
  });
}

// Shuts the socket down (a pending read or write then completes), closes it once idle. Never
// closes it under a pending operation: Asio 1.26's io_uring backend gets that wrong (see
// tcp_connection::finish); under TLS too it is the TCP socket that is shut down and closed.
void http_session::end() {
  ended_ = true;
  timer_.cancel();
  boost::system::error_code ignored;
  if (upgraded_) { // the socket went to the WebSocket; a handshake still pending ends too
    if (handshaking_) handshaking_->shutdown(tcp::socket::shutdown_both, ignored);
    return;
  }
  socket().shutdown(tcp::socket::shutdown_both, ignored);
  if (!busy_) socket().close(ignored);
}

tcp::socket& http_session::socket() {
  return with_stream(
      [](auto& stream) -> tcp::socket& { return boost::beast::get_lowest_layer(stream); });
}

std::string http_session::peer() {
  if (!peer_.empty()) return peer_;
  boost::system::error_code ec;
  auto ep = socket().remote_endpoint(ec);
  return ec ? std::string{"?"} : ep.address().to_string() + ':' + std::to_string(ep.port());
}

} // namespace chat::transport
