#include "tests/web/tls_client.hpp"

#include "tests/support/bounded_run.hpp"

#include <boost/beast/http.hpp>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <poll.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>

namespace chat::test {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

namespace {

tcp::endpoint server_at(uint16_t port) {
  return {asio::ip::make_address("127.0.0.1"), port};
}

// Verifies the chain (the context) and that the certificate names 127.0.0.1.
void verify_server(ssl::stream<tcp::socket>& stream) {
  stream.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
}

std::chrono::milliseconds since(steady::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start);
}

} // namespace

bool make_certificates(const std::string& dir) {
  auto command =
      std::string{CHAT_SOURCE_DIR} + "/scripts/dev-cluster-ca.sh " + dir + " server >/dev/null";
  return std::system(command.c_str()) == 0;
}

transport::tls_context_ptr client_context(const std::string& ca_file) {
  auto made = transport::make_client_tls_context({ca_file, false});
  if (auto* ctx = std::get_if<transport::tls_context_ptr>(&made)) return *ctx;
  return nullptr;
}

bool same_certificate(X509* cert, const std::string& pem_file) {
  if (cert == nullptr) return false;
  FILE* f = std::fopen(pem_file.c_str(), "r");
  if (f == nullptr) return false;
  X509* expected = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  bool same = expected != nullptr && X509_cmp(cert, expected) == 0;
  X509_free(expected);
  return same;
}

// -- wss_client --------------------------------------------------------------------------------

wss_client::wss_client(uint16_t port, const transport::tls_context_ptr& context)
    : ws_(ioc_, *context) {
  auto& socket = beast::get_lowest_layer(ws_);
  boost::system::error_code ec;
  socket.connect(server_at(port), ec);
  if (ec) {
    failure_ = "connect: " + ec.message();
    return;
  }
  verify_server(ws_.next_layer());
  std::optional<boost::system::error_code> done;
  ws_.next_layer().async_handshake(ssl::stream_base::client, [&](auto result) { done = result; });
  if (!run_until(ioc_, done, 5s, socket)) {
    failure_ = "tls handshake: no answer";
    return;
  }
  if (*done) {
    failure_ = "tls handshake: " + done->message();
    return;
  }
  done.reset();
  ws_.async_handshake("127.0.0.1:" + std::to_string(port), "/ws",
                      [&](auto result) { done = result; });
  if (!run_until(ioc_, done, 5s, socket)) {
    failure_ = "websocket handshake: no answer";
    return;
  }
  connected_ = !*done;
  if (*done) failure_ = "websocket handshake: " + done->message();
}

X509* wss_client::server_certificate() {
  return SSL_get0_peer_certificate(ws_.next_layer().native_handle());
}

bool wss_client::send(const json::object& message) {
  boost::system::error_code ec;
  ws_.text(true);
  ws_.write(asio::buffer(json::serialize(message)), ec);
  if (ec) failure_ = "write: " + ec.message();
  return !ec;
}

std::optional<json::object> wss_client::receive(std::chrono::milliseconds timeout) {
  std::optional<boost::system::error_code> done;
  ws_.async_read(buffer_, [&](auto ec, std::size_t) { done = ec; });
  if (!run_until(ioc_, done, timeout, beast::get_lowest_layer(ws_))) {
    failure_ = "timeout";
    return std::nullopt;
  }
  if (*done) {
    failure_ = "read: " + done->message();
    return std::nullopt;
  }
  auto text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  boost::system::error_code ec;
  auto value = json::parse(text, ec);
  if (ec || !value.is_object()) {
    failure_ = "not a JSON object: " + text;
    return std::nullopt;
  }
  return value.as_object();
}

std::optional<json::object> wss_client::next(const std::string& type,
                                             std::chrono::milliseconds timeout) {
  auto deadline = steady::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
    if (left.count() <= 0) {
      failure_ = "no " + type + " in time";
      return std::nullopt;
    }
    auto m = receive(left);
    if (!m) return std::nullopt;
    if (m->at("type").as_string() == type) return m;
  }
}

bool wss_client::log_in(const std::string& name) {
  if (!send({{"type", "hello"}, {"version", 2}}) || !next("hello")) return false;
  if (!send({{"type", "login"}, {"name", name}})) return false;
  auto reply = next("login");
  if (!reply) return false;
  if (reply->at("text").as_string() != "Login OK") {
    failure_ = json::serialize(*reply);
    return false;
  }
  return true;
}

bool wss_client::join(uint32_t ref, const std::string& channel) {
  json::object replay{{"mode", "last"}, {"epoch", "0"}, {"offset", "0"}, {"count", 100}};
  return send({{"type", "join"}, {"ref", ref}, {"channel", channel}, {"replay", replay}}) &&
         next("joined");
}

// -- one-shot connections ------------------------------------------------------------------------

https_result https_get(uint16_t port, const transport::tls_context_ptr& context,
                       const std::string& target) {
  asio::io_context ioc;
  ssl::stream<tcp::socket> stream{ioc, *context};
  auto& socket = stream.next_layer();
  boost::system::error_code ec;
  socket.connect(server_at(port), ec);
  if (ec) return {0, {}, "connect: " + ec.message()};
  verify_server(stream);
  std::optional<boost::system::error_code> done;
  stream.async_handshake(ssl::stream_base::client, [&](auto e) { done = e; });
  if (!run_until(ioc, done, 5s, socket)) return {0, {}, "tls handshake: no answer"};
  if (*done) return {0, {}, "tls handshake: " + done->message()};
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.keep_alive(false);
  http::response<http::string_body> res;
  beast::flat_buffer buffer;
  done.reset();
  http::async_write(stream, req, [&](auto e, auto) {
    if (e) {
      done = e;
      return;
    }
    http::async_read(stream, buffer, res, [&](auto e2, auto) { done = e2; });
  });
  if (!run_until(ioc, done, 5s, socket)) return {0, {}, "http: no answer"};
  if (*done) return {0, {}, "http: " + done->message()};
  return {static_cast<unsigned>(res.result_int()), res.body(), {}};
}

std::string tls_handshake(uint16_t port, const transport::tls_context_ptr& context,
                          std::chrono::milliseconds timeout, std::chrono::milliseconds* took) {
  asio::io_context ioc;
  ssl::stream<tcp::socket> stream{ioc, *context};
  auto start = steady::now();
  boost::system::error_code ec;
  stream.next_layer().connect(server_at(port), ec);
  if (ec) return "connect: " + ec.message();
  verify_server(stream);
  std::optional<boost::system::error_code> done;
  stream.async_handshake(ssl::stream_base::client, [&](auto e) { done = e; });
  bool answered = run_until(ioc, done, timeout, stream.next_layer());
  if (took) *took = since(start);
  if (!answered) return "no answer within " + std::to_string(timeout.count()) + " ms";
  return *done ? done->message() : std::string{};
}

raw_result send_and_read_until_closed(uint16_t port, const std::string& bytes,
                                      std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  tcp::socket socket{ioc};
  raw_result result;
  auto start = steady::now();
  boost::system::error_code ec;
  socket.connect(server_at(port), ec);
  if (ec) return result;
  if (!bytes.empty()) asio::write(socket, asio::buffer(bytes), ec);
  int fd = socket.native_handle();
  for (;;) {
    auto left = timeout - since(start);
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break; // the timeout
    char buf[4096];
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) { // EOF or reset: the server closed
      result.closed = true;
      break;
    }
    result.received.append(buf, static_cast<std::size_t>(n));
  }
  result.took = since(start);
  return result;
}

} // namespace chat::test
