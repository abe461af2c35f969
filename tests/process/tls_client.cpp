#include "tests/process/tls_client.hpp"

#include "tests/support/bounded_run.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstring>

namespace chat::reliability {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

namespace {

std::string describe(const boost::system::error_code& ec, SSL* ssl) {
  auto text = ec.message();
  if (long verify = SSL_get_verify_result(ssl); verify != X509_V_OK)
    text += std::string{" ("} + X509_verify_cert_error_string(verify) + ")";
  return text;
}

} // namespace

tls_client::tls_client(uint16_t port, const std::string& ca_file, const std::string& server_name)
    : ctx_(ssl::context::tls_client), stream_(ioc_, ctx_) {
  if (!ca_file.empty()) {
    ctx_.load_verify_file(ca_file);
    stream_.set_verify_mode(ssl::verify_peer);
    stream_.set_verify_callback(ssl::host_name_verification(server_name));
  }
  SSL_set_tlsext_host_name(stream_.native_handle(), server_name.c_str());
  boost::system::error_code ec;
  stream_.next_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  connected_ = !ec;
  if (ec) error_ = ec.message();
}

bool tls_client::run_until(const bool& done, milliseconds timeout) {
  if (test::run_until(ioc_, done, timeout, stream_.next_layer())) return true;
  error_ = "timed out";
  return false;
}

bool tls_client::handshake(milliseconds timeout) {
  bool done = false;
  boost::system::error_code result;
  stream_.async_handshake(ssl::stream_base::client, [&](auto ec) {
    result = ec;
    done = true;
  });
  if (!run_until(done, timeout)) return false;
  if (result) error_ = describe(result, stream_.native_handle());
  return !result;
}

bool tls_client::send_frame(uint8_t type, std::string_view payload, milliseconds timeout) {
  auto bytes = encode(type, payload);
  bool done = false;
  boost::system::error_code result;
  asio::async_write(stream_, asio::buffer(bytes), [&](auto ec, std::size_t) {
    result = ec;
    done = true;
  });
  if (!run_until(done, timeout)) return false;
  if (result) error_ = result.message();
  return !result;
}

std::optional<frame> tls_client::read_frame(milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  for (;;) {
    if (inbox_.size() >= header_size + 1) {
      int32_t body_len = 0;
      std::memcpy(&body_len, inbox_.data(), sizeof body_len); // the test machine is little-endian
      if (body_len < 1) {
        error_ = "bad frame from the server";
        return std::nullopt;
      }
      auto whole = header_size + static_cast<std::size_t>(body_len);
      if (inbox_.size() >= whole) {
        frame f{static_cast<uint8_t>(inbox_[header_size]),
                inbox_.substr(header_size + 1, whole - header_size - 1)};
        inbox_.erase(0, whole);
        return f;
      }
    }
    auto left = std::chrono::duration_cast<milliseconds>(deadline - clock_type::now());
    if (left <= milliseconds{0}) {
      error_ = "timed out";
      return std::nullopt;
    }
    auto& buf = read_buffer_;
    bool done = false;
    boost::system::error_code result;
    std::size_t got = 0;
    stream_.async_read_some(asio::buffer(buf), [&](auto ec, std::size_t n) {
      result = ec;
      got = n;
      done = true;
    });
    if (!run_until(done, left)) return std::nullopt;
    inbox_.append(buf.data(), got);
    if (result && got == 0) {
      error_ = result.message();
      return std::nullopt;
    }
  }
}

bool tls_client::wait_closed(milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  while (clock_type::now() < deadline) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - clock_type::now());
    if (read_frame(left)) continue; // frames before the end are fine
    return error_ != "timed out";
  }
  return false;
}

bool tls_client::log_in(const std::string& name) {
  if (!send_frame(type::login, name)) return false;
  auto reply = read_frame();
  return reply && reply->type == type::login && reply->payload == "Login OK";
}

} // namespace chat::reliability
