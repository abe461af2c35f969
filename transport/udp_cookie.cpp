// udp_cookie.cpp -- SipHash-2-4 (128-bit tag) through OpenSSL 3's EVP_MAC "SIPHASH".
//
// Why SipHash and not HMAC-SHA256: a cookie is a MAC over about 25 bytes, minted for every HELLO
// and checked for every DATA from an unverified peer, so it is the cost a spoofed flood buys.
// SipHash is a PRF made for short inputs (one compression pass here, against HMAC-SHA256's four);
// 128-bit keys and tags are enough for a tag that lives two minutes and is bound to one address.
#include "transport/udp_cookie.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

namespace chat::transport::udp {

namespace {

constexpr std::size_t udp_cookie_key_size = 16;

uint32_t udp_cookie_seconds(cookie_clock::time_point t) {
  return static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

[[noreturn]] void udp_cookie_fail(const char* what) {
  throw std::runtime_error{std::string{"udp cookies: "} + what};
}

} // namespace

peer peer::v4(const std::array<uint8_t, 4>& a, uint16_t port) {
  peer p;
  std::copy(a.begin(), a.end(), p.address.begin());
  p.address_size = 4;
  p.port = port;
  return p;
}

peer peer::v6(const std::array<uint8_t, 16>& a, uint16_t port) {
  peer p;
  p.address = a;
  p.address_size = 16;
  p.port = port;
  return p;
}

bool operator==(const peer& a, const peer& b) {
  return a.address_size == b.address_size && a.port == b.port &&
         std::equal(a.address.begin(), a.address.begin() + a.address_size, b.address.begin());
}

// One key, its MAC context (keyed once; EVP_MAC_init without a key resets it to that key), and
// the second at which it became current.
struct cookies::secret {
  EVP_MAC_CTX* mac = nullptr;
  uint32_t since = 0;

  explicit secret(uint32_t since_s) : since(since_s) {
    unsigned char key[udp_cookie_key_size];
    if (RAND_bytes(key, sizeof key) != 1) udp_cookie_fail("RAND_bytes failed");
    EVP_MAC* siphash = EVP_MAC_fetch(nullptr, "SIPHASH", nullptr);
    if (siphash == nullptr) udp_cookie_fail("OpenSSL has no SIPHASH");
    mac = EVP_MAC_CTX_new(siphash);
    EVP_MAC_free(siphash); // the context holds its own reference
    std::size_t tag_size = cookie_tag_size;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &tag_size),
                           OSSL_PARAM_construct_end()};
    bool keyed = mac != nullptr && EVP_MAC_init(mac, key, sizeof key, params) == 1;
    OPENSSL_cleanse(key, sizeof key);
    if (!keyed) {
      EVP_MAC_CTX_free(mac);
      udp_cookie_fail("cannot key SIPHASH");
    }
  }
  ~secret() { EVP_MAC_CTX_free(mac); }
  secret(const secret&) = delete;
  secret& operator=(const secret&) = delete;
};

cookies::cookies(cookie_clock::time_point now, cookie_timing timing)
    : timing_(timing), current_(std::make_unique<secret>(udp_cookie_seconds(now))) {}

cookies::~cookies() = default;

// The tag covers: address size, address, port (big-endian), minted (little-endian, as on the
// wire). The size byte keeps an IPv4 address apart from an IPv6 one that starts with its bytes.
void cookies::tag(secret& s, const peer& from, uint32_t minted, uint8_t* out) {
  unsigned char input[1 + 16 + 2 + cookie_time_size];
  std::size_t n = 0;
  input[n++] = from.address_size;
  std::copy(from.address.begin(), from.address.begin() + from.address_size, input + n);
  n += from.address_size;
  input[n++] = static_cast<unsigned char>(from.port >> 8);
  input[n++] = static_cast<unsigned char>(from.port);
  for (std::size_t i = 0; i < cookie_time_size; ++i)
    input[n++] = static_cast<unsigned char>(minted >> (8 * i));
  std::size_t written = 0;
  if (EVP_MAC_init(s.mac, nullptr, 0, nullptr) != 1 || EVP_MAC_update(s.mac, input, n) != 1 ||
      EVP_MAC_final(s.mac, out, &written, cookie_tag_size) != 1 || written != cookie_tag_size)
    udp_cookie_fail("SIPHASH failed");
}

cookie cookies::make(const peer& from, cookie_clock::time_point now) {
  cookie c{};
  uint32_t minted = udp_cookie_seconds(now);
  for (std::size_t i = 0; i < cookie_time_size; ++i)
    c[i] = static_cast<uint8_t>(minted >> (8 * i));
  tag(*current_, from, minted, c.data() + cookie_time_size);
  return c;
}

// Cheap checks first (no MAC): the time. Then the tag under each secret that was alive at the
// minting second, newest first: the previous one only for a cookie minted no later than the
// second the current one began (two MACs only when a rotation fell in that very second).
cookie_check cookies::verify(const cookie& c, const peer& from, cookie_clock::time_point now) {
  uint32_t minted = 0;
  for (std::size_t i = 0; i < cookie_time_size; ++i)
    minted |= static_cast<uint32_t>(c[i]) << (8 * i);
  uint32_t now_s = udp_cookie_seconds(now);
  if (minted > now_s) return cookie_check::forged;
  if (now_s - minted > static_cast<uint64_t>(timing_.lifetime.count()))
    return cookie_check::expired;
  bool alive = false;
  uint8_t expected[cookie_tag_size];
  for (secret* s : {current_.get(), previous_.get()}) {
    if (s == nullptr || s->since > minted) continue;
    if (s == previous_.get() && minted > current_->since) continue;
    alive = true;
    tag(*s, from, minted, expected);
    if (CRYPTO_memcmp(expected, c.data() + cookie_time_size, cookie_tag_size) == 0)
      return cookie_check::ok;
  }
  return alive ? cookie_check::forged : cookie_check::expired;
}

void cookies::rotate(cookie_clock::time_point now) {
  auto fresh = std::make_unique<secret>(udp_cookie_seconds(now));
  previous_ = std::move(current_);
  current_ = std::move(fresh);
}

} // namespace chat::transport::udp
