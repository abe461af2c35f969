// udp_cookie_test.cpp -- transport/udp_cookie: a cookie verifies for the peer it was minted for,
// within its lifetime and across one rotation; anything else is expired or forged.
#include "transport/udp_cookie.hpp"

#include <gtest/gtest.h>

namespace {

namespace udp = chat::transport::udp;
using udp::cookie_check;
using namespace std::chrono_literals;

const auto cookie_t0 = udp::cookie_clock::time_point{} + 1000h;
const auto cookie_ann = udp::peer::v4({192, 0, 2, 1}, 40000);

udp::peer cookie_ann_v6() {
  std::array<uint8_t, 16> a{0x20, 0x01, 0x0d, 0xb8};
  a[15] = 1;
  return udp::peer::v6(a, 40000);
}

TEST(UdpCookieTest, RoundTrip) {
  udp::cookies jar{cookie_t0};
  auto c = jar.make(cookie_ann, cookie_t0);
  EXPECT_EQ(jar.verify(c, cookie_ann, cookie_t0), cookie_check::ok);
  EXPECT_EQ(jar.verify(c, cookie_ann, cookie_t0 + 119s), cookie_check::ok);
  auto v6 = cookie_ann_v6();
  EXPECT_EQ(jar.verify(jar.make(v6, cookie_t0 + 5s), v6, cookie_t0 + 6s), cookie_check::ok);
}

TEST(UdpCookieTest, EveryFlippedBitIsRefused) {
  udp::cookies jar{cookie_t0};
  auto c = jar.make(cookie_ann, cookie_t0);
  for (std::size_t bit = 0; bit < 8 * c.size(); ++bit) {
    auto bad = c;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_NE(jar.verify(bad, cookie_ann, cookie_t0 + 1s), cookie_check::ok) << "bit " << bit;
    // A flipped tag bit, or a minted time moved into the window, is a forgery.
    if (bit >= 8 * udp::cookie_time_size) {
      EXPECT_EQ(jar.verify(bad, cookie_ann, cookie_t0 + 1s), cookie_check::forged) << "bit " << bit;
    }
  }
}

TEST(UdpCookieTest, AnotherAddressOrPortIsForged) {
  udp::cookies jar{cookie_t0};
  auto c = jar.make(cookie_ann, cookie_t0);
  EXPECT_EQ(jar.verify(c, udp::peer::v4({192, 0, 2, 2}, 40000), cookie_t0), cookie_check::forged);
  EXPECT_EQ(jar.verify(c, udp::peer::v4({192, 0, 2, 1}, 40001), cookie_t0), cookie_check::forged);
  // The same first four bytes as an IPv6 address are another peer.
  std::array<uint8_t, 16> v6{192, 0, 2, 1};
  EXPECT_EQ(jar.verify(c, udp::peer::v6(v6, 40000), cookie_t0), cookie_check::forged);
  // Another server's jar (another secret) never minted it.
  udp::cookies other{cookie_t0};
  EXPECT_EQ(other.verify(c, cookie_ann, cookie_t0), cookie_check::forged);
}

TEST(UdpCookieTest, ExpiresAfterItsLifetime) {
  udp::cookies jar{cookie_t0, {30s, 60s}};
  auto c = jar.make(cookie_ann, cookie_t0);
  EXPECT_EQ(jar.verify(c, cookie_ann, cookie_t0 + 30s), cookie_check::ok);
  EXPECT_EQ(jar.verify(c, cookie_ann, cookie_t0 + 31s), cookie_check::expired);
  EXPECT_EQ(jar.verify(c, cookie_ann, cookie_t0 + 24h), cookie_check::expired);
}

TEST(UdpCookieTest, FromTheFutureIsForged) {
  udp::cookies jar{cookie_t0};
  auto c = jar.make(cookie_ann, cookie_t0 + 10s);
  EXPECT_EQ(jar.verify(c, cookie_ann, cookie_t0 + 9s), cookie_check::forged);
  EXPECT_EQ(jar.verify(c, cookie_ann, cookie_t0 + 10s), cookie_check::ok);
}

TEST(UdpCookieTest, SurvivesOneRotationNotTwo) {
  udp::cookies jar{cookie_t0};
  auto c = jar.make(cookie_ann, cookie_t0 + 10s);
  jar.rotate(cookie_t0 + 20s);
  EXPECT_EQ(jar.verify(c, cookie_ann, cookie_t0 + 21s), cookie_check::ok);
  auto fresh = jar.make(cookie_ann, cookie_t0 + 21s);
  EXPECT_NE(fresh, c);
  EXPECT_EQ(jar.verify(fresh, cookie_ann, cookie_t0 + 21s), cookie_check::ok);
  jar.rotate(cookie_t0 + 30s);
  EXPECT_EQ(jar.verify(c, cookie_ann, cookie_t0 + 31s), cookie_check::expired)
      << "its secret is gone";
  EXPECT_EQ(jar.verify(fresh, cookie_ann, cookie_t0 + 31s), cookie_check::ok);
}

TEST(UdpCookieTest, ARotationInTheMintingSecondKeepsTheCookie) {
  udp::cookies jar{cookie_t0};
  auto c = jar.make(cookie_ann, cookie_t0 + 5s);
  jar.rotate(cookie_t0 + 5s + 500ms); // the same second: both secrets may have minted it
  EXPECT_EQ(jar.verify(c, cookie_ann, cookie_t0 + 6s), cookie_check::ok);
  EXPECT_EQ(jar.verify(jar.make(cookie_ann, cookie_t0 + 5s + 600ms), cookie_ann, cookie_t0 + 6s),
            cookie_check::ok);
}

TEST(UdpCookieTest, MintedBeforeThisServerStartedIsExpired) {
  // A restarted server draws new secrets; a client's old cookie is stale, not an attack.
  udp::cookies jar{cookie_t0 + 60s};
  udp::cookies before{cookie_t0};
  EXPECT_EQ(jar.verify(before.make(cookie_ann, cookie_t0 + 10s), cookie_ann, cookie_t0 + 61s),
            cookie_check::expired);
}

TEST(UdpCookieTest, PeersCompareByAddressSizeAddressAndPort) {
  EXPECT_EQ(cookie_ann, udp::peer::v4({192, 0, 2, 1}, 40000));
  EXPECT_FALSE(cookie_ann == udp::peer::v4({192, 0, 2, 1}, 40001));
  EXPECT_FALSE(cookie_ann == cookie_ann_v6());
}

} // namespace
