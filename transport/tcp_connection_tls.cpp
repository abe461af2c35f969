// The TLS step of tcp_connection (secure()): the bytes read go through the session before the
// frame decoder, and what is written is sealed records. The socket work (readiness reads, one
// write in flight, the outbound policy) stays tcp_connection's own, so a TLS connection is cut
// as a slow consumer, pressed and closed by the same rules as a plain one.
//
// What the peer sees when it goes wrong:
//  - plain text to a TLS port: `plain_text_refusal` (an ERROR frame), unencrypted, then a close;
//  - a failed handshake (a certificate the client does not trust, no common version): OpenSSL's
//    alert, then a close; the log and the owner get OpenSSL's reason;
//  - no handshake within limits.tls_handshake_timeout: a close.
#include "transport/tcp_connection.hpp"

#include <spdlog/spdlog.h>

namespace chat::transport {

bool tcp_connection::receive_tls(const char* data, std::size_t n) {
  bool was_established = tls_->session->established();
  bool decoded = true;
  auto status =
      tls_->session->receive(data, n, [this, &decoded](const char* plain, std::size_t size) {
        if (decoded) decoded = decode(plain, size);
      });
  if (status == tls_session::status::failed) {
    std::string alert;
    tls_->session->take_output(alert);
    if (write_ == write_state::idle) send_now(alert);
    auto reason = tls_->session->error();
    if (tls_->session->is_client() && !was_established)
      if (auto said = plain_text_error(data, n)) // a server full, or one without TLS on this port
        reason += ": the server answered in plain text: ERROR \"" + *said + '"';
    spdlog::info("TLS refused: peer={} {}", peer(), reason);
    finish(std::move(reason));
    return false;
  }
  if (status == tls_session::status::peer_closed) {
    finish("peer closed");
    return false;
  }
  if (!was_established && tls_->session->established()) {
    if (tls_->handshake_timer) tls_->handshake_timer->cancel();
    spdlog::debug("TLS established: peer={} {} {}", peer(), tls_->session->version(),
                  tls_->session->cipher());
  }
  // Frames that waited for the handshake, or what the session has to answer (handshake messages,
  // a key update).
  if (!was_established || tls_->session->has_output()) flush();
  return decoded && !finished_;
}

// The first bytes of a server that answered our ClientHello without TLS, read as our own
// protocol: the text of the ERROR frame they start with, if they do (`server full` from a TLS
// port that is full; `frame too large` from a plain port that took the ClientHello for a frame).
std::optional<std::string> tcp_connection::plain_text_error(const char* data, std::size_t n) const {
  if (bytes_in_.load(std::memory_order_relaxed) != n) return std::nullopt; // not the first bytes
  frame_decoder plain{limits_.max_frame};
  std::optional<std::string> said;
  plain.feed(data, n, [&said](uint8_t type, std::string_view payload) {
    if (!said && type == static_cast<uint8_t>(frame_type::error)) said = std::string{payload};
  });
  return said;
}

void tcp_connection::refuse_plain_text() {
  spdlog::info("TLS refused: peer={} spoke plain text to a TLS port", peer());
  auto& refusal = bytes(*tls_->plain_text_refusal);
  send_now(std::string{refusal.begin(), refusal.end()});
  finish("plain text on a TLS port");
}

void tcp_connection::arm_handshake_timer() {
  tls_->handshake_timer =
      std::make_unique<asio::steady_timer>(loop(), limits_.tls_handshake_timeout);
  tls_->handshake_timer->async_wait([self = shared_from_this()](auto ec) {
    if (ec || self->finished_ || self->tls_->session->established()) return;
    spdlog::info("TLS refused: peer={} handshake not done after {} ms", self->peer(),
                 self->limits_.tls_handshake_timeout.count());
    self->finish("TLS handshake timed out");
  });
}

// On the loop, with no write in flight: a few bytes on a fresh or closing socket, written at once
// or not at all (the socket is non-blocking; nothing waits for a peer that does not read).
void tcp_connection::send_now(const std::string& data) {
  if (data.empty() || !socket_.is_open()) return;
  boost::system::error_code ignored;
  auto n = socket_.write_some(asio::buffer(data), ignored);
  bytes_out_.fetch_add(n, std::memory_order_relaxed);
}

// Loop: in_flight_'s frames gathered into records, after whatever the session has to say first
// (handshake messages, session tickets); buffers_ gets one buffer, tls_->cipher.
void tcp_connection::seal_in_flight() {
  thread_local std::string plain;
  plain.clear();
  in_flight_.for_each_piece([this](const char* data, std::size_t n) {
    if (!plain.empty() && plain.size() + n > tls_record_plaintext) {
      tls_->session->seal(plain);
      plain.clear();
    }
    plain.append(data, n);
  });
  if (!plain.empty()) tls_->session->seal(plain);
  if (plain.capacity() > 4 * tls_record_plaintext) std::string{}.swap(plain); // after a huge frame
  // The session's output is in order: what it had to say first, then the records just sealed.
  tls_->cipher.clear();
  tls_->session->take_output(tls_->cipher);
  if (!tls_->cipher.empty()) buffers_.emplace_back(asio::buffer(tls_->cipher));
}

} // namespace chat::transport
