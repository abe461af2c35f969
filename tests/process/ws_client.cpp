#include "tests/process/ws_client.hpp"

#include "tests/support/bounded_run.hpp"

namespace chat::reliability {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

ws_client::ws_client(uint16_t port, const std::string& path) {
  boost::system::error_code ec;
  ws_.next_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) {
    failure_ = "connect: " + ec.message();
    return;
  }
  std::optional<boost::system::error_code> done;
  ws_.async_handshake("127.0.0.1:" + std::to_string(port), path,
                      [&](auto result) { done = result; });
  if (!finish(done, std::chrono::seconds{5})) {
    failure_ = "handshake: no answer";
    return;
  }
  connected_ = !*done;
  if (*done) failure_ = "handshake: " + done->message();
}

// Every wait of these tests is bounded (tests/support/bounded_run.hpp).
bool ws_client::finish(const std::optional<boost::system::error_code>& done,
                       std::chrono::milliseconds timeout) {
  return test::run_until(ioc_, done, timeout, ws_.next_layer());
}

bool ws_client::send(const json::object& message) {
  return send_text(json::serialize(message));
}

bool ws_client::send_text(const std::string& text) {
  boost::system::error_code ec;
  ws_.text(true);
  ws_.write(asio::buffer(text), ec);
  if (ec) failure_ = "write: " + ec.message();
  return !ec;
}

bool ws_client::send_fragmented(const std::string& text, std::size_t pieces) {
  boost::system::error_code ec;
  ws_.text(true);
  auto step = (text.size() + pieces - 1) / pieces;
  for (std::size_t at = 0; at < text.size() && !ec; at += step) {
    auto n = std::min(step, text.size() - at);
    ws_.write_some(at + n == text.size(), asio::buffer(text.data() + at, n), ec);
  }
  if (ec) failure_ = "write: " + ec.message();
  return !ec;
}

bool ws_client::send_binary(const std::string& bytes) {
  boost::system::error_code ec;
  ws_.binary(true);
  ws_.write(asio::buffer(bytes), ec);
  if (ec) failure_ = "write: " + ec.message();
  return !ec;
}

// A read with a deadline: the asynchronous read runs on our own io_context for at most
// `timeout`; past it the socket's operations are cancelled (one socket, one context).
std::optional<json::object> ws_client::receive(std::chrono::milliseconds timeout) {
  std::optional<boost::system::error_code> done;
  ws_.async_read(buffer_, [&](auto ec, std::size_t) { done = ec; });
  if (!finish(done, timeout)) {
    failure_ = "timeout";
    return std::nullopt;
  }
  if (*done) {
    // The server's CLOSE, or its socket closed after it (a client that answers the CLOSE late
    // finds the socket shut: the server waits for the answer a second only).
    bool ended = *done == beast::websocket::error::closed || *done == asio::error::eof ||
                 *done == asio::error::broken_pipe || *done == asio::error::connection_reset;
    failure_ = ended ? "closed by the server" : "read: " + done->message();
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

std::optional<json::object> ws_client::next(const std::string& type,
                                            std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      failure_ = "no " + type + " in time";
      return std::nullopt;
    }
    auto m = receive(left);
    if (!m) return std::nullopt;
    if (m->at("type").as_string() == type) return m;
  }
}

bool ws_client::closed_by_server(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!receive(std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now())))
      return failure_ == "closed by the server";
  }
  return false;
}

bool ws_client::log_in(const std::string& name) {
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

std::optional<json::object> ws_client::join(uint32_t ref, const std::string& channel) {
  json::object replay{{"mode", "last"}, {"epoch", "0"}, {"offset", "0"}, {"count", 100}};
  if (!send({{"type", "join"}, {"ref", ref}, {"channel", channel}, {"replay", replay}}))
    return std::nullopt;
  return next("joined");
}

http_result http_request(uint16_t port, const std::string& method, const std::string& target,
                         const std::string& extra_header) {
  asio::io_context ioc;
  tcp::socket socket{ioc};
  boost::system::error_code ec;
  socket.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return {};
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_header +
                        "Connection: close\r\n\r\n";
  asio::write(socket, asio::buffer(request), ec);
  // The server may close after its answer without reading the rest (an oversized header).
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res, ec);
  if (ec && ec != http::error::end_of_stream) return {};
  return {static_cast<unsigned>(res.result_int()), res.body()};
}

} // namespace chat::reliability
