// udp_gate_fuzz.cpp -- libFuzzer target: decode_datagram and answer_unverified
// (transport/udp_gate.hpp) on arbitrary datagrams from peers without a session. Built only with
// CHAT_FUZZ=ON (clang).
//
// Input: [c][datagram]. c picks the peer (bit 0: the peer the genuine cookie was minted for, or
// another one with the same address), the clock (bits 1..3: 0..280 s after minting; the lifetime
// is 120 s), and bit 7 splices the genuine cookie into bytes 3..22 of the datagram when it is
// that long, so DATAs that open a session are reached too (the secrets are random per process).
//
// Invariants: a reply is a well-formed COOKIE that is never larger than the datagram it answers,
// and its cookie verifies for the sender; only a DATA carrying the genuine cookie, from its peer,
// within its lifetime opens, and its frames are the datagram's own bytes, whole; a decoded DATA
// re-encodes to the same bytes. Every broken invariant ends in __builtin_trap().
#include "transport/udp_gate.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

namespace {

namespace udp = chat::transport::udp;
using verdict = udp::gate_answer::verdict;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

const auto minted_at = udp::cookie_clock::time_point{} + std::chrono::hours{1000};
const auto owner = udp::peer::v4({203, 0, 113, 9}, 4433);
const auto other = udp::peer::v4({203, 0, 113, 9}, 4434);

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  static udp::cookies jar{minted_at};
  static const udp::cookie genuine = jar.make(owner, minted_at);
  if (size == 0) return 0;
  const uint8_t c = data[0];
  std::string bytes{reinterpret_cast<const char*>(data) + 1, size - 1};
  if ((c & 0x80) && bytes.size() >= udp::data_prefix_size)
    std::copy(genuine.begin(), genuine.end(), bytes.begin() + udp::datagram_header_size);
  const auto& from = c & 1 ? other : owner;
  const auto now = minted_at + std::chrono::seconds{40 * ((c >> 1) & 7)};
  const udp::datagram_limits limits{udp::default_max_datagram, 512};

  auto decoded = udp::decode_datagram(bytes, limits);
  if (auto* d = std::get_if<udp::datagram>(&decoded); d && d->kind == udp::datagram_kind::data) {
    check(udp::encode_data(d->cookie, d->frames, d->sequence) == bytes);
    auto frames = d->frames;
    while (!frames.empty()) {
      auto f = udp::take_frame(frames);
      check(f.payload.size() + 1 <= limits.max_frame);
    }
  }

  auto a = udp::answer_unverified(bytes, from, now, jar, limits);
  check(a.malformed == std::holds_alternative<udp::datagram_fault>(decoded));
  switch (a.what) {
  case verdict::drop:
    break;
  case verdict::reply: {
    check(a.reply_bytes().size() <= bytes.size()); // no amplification
    auto r = udp::decode_datagram(a.reply_bytes(), limits);
    check(std::holds_alternative<udp::datagram>(r));
    const auto& cookie = std::get<udp::datagram>(r);
    check(cookie.kind == udp::datagram_kind::cookie);
    check(jar.verify(cookie.cookie, from, now) == udp::cookie_check::ok);
    break;
  }
  case verdict::open:
    check(a.cookie == genuine && &from == &owner && now - minted_at <= jar.timing().lifetime);
    check(a.frames.data() == bytes.data() + udp::data_prefix_size);
    check(a.frames.size() == bytes.size() - udp::data_prefix_size);
    break;
  }
  return 0;
}
