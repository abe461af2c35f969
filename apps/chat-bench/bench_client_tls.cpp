// bench_client_tls.cpp -- bench_client over TLS (--tls): the client handshakes as soon as it is
// connected, then logs in and runs the load as over plain TCP. The socket work stays the plain
// client's (bench_client.cpp: readiness reads with the kernel's arrival stamps; one write in
// flight), with a TLS session (bench_tls.hpp) between the bytes and the framing: what is read is
// decrypted before it is framed, and what is written is sealed first. So a delivery's latency
// still ends at the kernel's receive stamp of its record's last bytes, not after decryption.
// A handshake that fails is counted (handshake_failed) with OpenSSL's reason; one that never
// ends is failed with the other unsettled clients when the connect phase ends (bench_run).
#include "apps/chat-bench/bench_client.hpp"

#include "apps/chat-bench/bench_tls.hpp"

namespace chat::bench {

namespace {

namespace asio = boost::asio;

} // namespace

bool bench_client::tls_start() {
  state_ = state::handshaking;
  tls_ = std::make_unique<tls_channel>(*plan_.tls, plan_.servers[server_].address().to_string());
  if (tls_->handshake() != tls_channel::status::ok) {
    fail(tls_->error());
    return false;
  }
  flush(); // the ClientHello
  return true;
}

void bench_client::tls_established() {
  auto now = steady_now_ns();
  auto& counts = bench_stats::this_thread_shard();
  counts.add(counter::handshakes);
  run_.mark_handshake_end(now);
  run_.note_tls_version(tls_->version());
  if (framing_.has_login()) {
    send_login();
  } else {
    logged_in();
  }
}

// `buf` holds `n` bytes from the socket and has room for `capacity`: once the session has copied
// them, the plaintext is decrypted into the same buffer.
bool bench_client::tls_receive(char* buf, std::size_t n, std::size_t capacity,
                               uint64_t arrived_ns) {
  if (!tls_->put(buf, n)) {
    fail(tls_->error());
    return false;
  }
  if (state_ == state::handshaking) {
    if (tls_->handshake() != tls_channel::status::ok) {
      fail(tls_->error());
      return false;
    }
    if (!tls_->established()) { // the handshake goes on: its next messages, if any
      flush();
      return true;
    }
    tls_established();
    if (state_ == state::closed) return false;
  }
  for (;;) {
    auto st = tls_channel::status::ok;
    auto got = tls_->read(buf, capacity, st);
    if (got > 0) {
      if (!take_bytes(buf, got, arrived_ns)) return false;
      continue;
    }
    if (st == tls_channel::status::closed) {
      fail("closed by the server (TLS close_notify)");
      return false;
    }
    if (st == tls_channel::status::failed) {
      fail("TLS: " + tls_->error());
      return false;
    }
    break;
  }
  if (tls_->has_output()) flush(); // what the session has to answer (a key update)
  return true;
}

// Plaintext frames gather in out_ while a write is in flight, as over plain TCP, and are sealed
// together when it is done: a burst costs one record per 16 KiB, not one per frame.
void bench_client::tls_flush() {
  if (write_busy_ || state_ == state::closed) return;
  if (!out_.empty()) {
    if (!tls_->seal(out_.data(), out_.size())) return fail("TLS: " + tls_->error());
    out_.clear();
  }
  tls_->take_output(writing_); // empty: no write is in flight
  if (writing_.empty()) return;
  write_busy_ = true;
  asio::async_write(socket_, asio::buffer(writing_),
                    [this](const auto& ec, std::size_t) { on_flushed(ec); });
}

} // namespace chat::bench
