// udp_gate.cpp -- answer_unverified: the stateless rules for peers without a session.
#include "transport/udp_gate.hpp"

#include <algorithm>
#include <variant>

namespace chat::transport::udp {

static_assert(min_hello_size >= cookie_datagram_size, "a COOKIE must never outgrow its HELLO");

namespace {

// The echo a refreshed COOKIE carries: the stale cookie's last 8 tag bytes, which the client
// knows and an off-path forger of the server's address does not.
nonce udp_gate_echo_of(const udp::cookie& stale) {
  nonce n{};
  std::copy(stale.end() - nonce_size, stale.end(), n.begin());
  return n;
}

} // namespace

gate_answer answer_unverified(std::string_view bytes, const peer& from,
                              cookie_clock::time_point now, cookies& jar,
                              const datagram_limits& limits) {
  gate_answer a;
  auto decoded = decode_datagram(bytes, limits);
  if (auto* fault = std::get_if<datagram_fault>(&decoded)) {
    a.malformed = true;
    a.fault = *fault;
    return a;
  }
  const auto& d = std::get<datagram>(decoded);
  switch (d.kind) {
  case datagram_kind::hello:
    // decode_datagram refused any HELLO under min_hello_size >= cookie_datagram_size.
    a.what = gate_answer::verdict::reply;
    a.reply = encode_cookie(d.echo, jar.make(from, now));
    return a;
  case datagram_kind::data:
    a.check = jar.verify(d.cookie, from, now);
    if (a.check == cookie_check::ok) {
      a.what = gate_answer::verdict::open;
      a.cookie = d.cookie;
      a.sequence = d.sequence;
      a.frames = d.frames;
    } else if (a.check == cookie_check::expired && bytes.size() >= cookie_datagram_size) {
      a.what = gate_answer::verdict::reply;
      a.reply = encode_cookie(udp_gate_echo_of(d.cookie), jar.make(from, now));
    }
    return a;
  case datagram_kind::close:  // no session to close: not even worth a MAC
  case datagram_kind::cookie: // servers do not take COOKIEs
    return a;
  }
  return a;
}

} // namespace chat::transport::udp
