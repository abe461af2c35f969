// udp_gate_test.cpp -- transport/udp_gate: the answers to peers without a session. A HELLO gets
// a COOKIE, its cookie opens a session, and no reply to an unverified address is ever larger
// than the datagram it answers (checked over many random datagrams too).
#include "transport/udp_gate.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace {

namespace udp = chat::transport::udp;
using verdict = udp::gate_answer::verdict;
using udp::cookie_check;
using namespace std::chrono_literals;

const auto gate_t0 = udp::cookie_clock::time_point{} + 1000h;
const auto gate_ann = udp::peer::v4({198, 51, 100, 7}, 5555);
const udp::datagram_limits gate_limits{};
const udp::nonce gate_nonce{9, 8, 7, 6, 5, 4, 3, 2};
const std::string gate_ping_frame("\x01\x00\x00\x00\x05", 5);

// The client side of the handshake: HELLO, then the cookie from the COOKIE.
udp::cookie handshake(udp::cookies& jar, const udp::peer& p, udp::cookie_clock::time_point t) {
  auto a = udp::answer_unverified(udp::encode_hello(gate_nonce), p, t, jar, gate_limits);
  EXPECT_EQ(a.what, verdict::reply);
  auto d = std::get<udp::datagram>(udp::decode_datagram(a.reply_bytes(), gate_limits));
  EXPECT_EQ(d.kind, udp::datagram_kind::cookie);
  EXPECT_EQ(d.echo, gate_nonce);
  return d.cookie;
}

TEST(UdpGateTest, HelloGetsACookieAndTheCookieOpensASession) {
  udp::cookies jar{gate_t0};
  auto c = handshake(jar, gate_ann, gate_t0);
  auto data = udp::encode_data(c, gate_ping_frame, 42);
  auto a = udp::answer_unverified(data, gate_ann, gate_t0 + 1s, jar, gate_limits);
  EXPECT_EQ(a.what, verdict::open);
  EXPECT_EQ(a.sequence, 42u) << "the session's window starts there";
  EXPECT_EQ(a.check, cookie_check::ok);
  EXPECT_EQ(a.cookie, c);
  EXPECT_EQ(a.frames, gate_ping_frame);
  EXPECT_EQ(a.frames.data(), data.data() + udp::data_prefix_size) << "a view, not a copy";
}

TEST(UdpGateTest, TheReplyIsNeverLargerThanTheHello) {
  udp::cookies jar{gate_t0};
  for (std::size_t size : {63u, 64u, 65u, 1200u, 1201u}) {
    auto a = udp::answer_unverified(udp::encode_hello(gate_nonce, size).substr(0, size), gate_ann,
                                    gate_t0, jar, gate_limits);
    if (size < udp::min_hello_size || size > gate_limits.max_datagram) {
      EXPECT_EQ(a.what, verdict::drop) << size;
      EXPECT_TRUE(a.malformed);
    } else {
      EXPECT_EQ(a.what, verdict::reply) << size;
      EXPECT_LE(a.reply_bytes().size(), size);
    }
  }
}

TEST(UdpGateTest, ForgedCookiesAreDroppedSilently) {
  udp::cookies jar{gate_t0};
  auto c = handshake(jar, gate_ann, gate_t0);
  auto mallory = udp::peer::v4({198, 51, 100, 7}, 5556);
  auto a = udp::answer_unverified(udp::encode_data(c, gate_ping_frame), mallory, gate_t0, jar,
                                  gate_limits);
  EXPECT_EQ(a.what, verdict::drop);
  EXPECT_EQ(a.check, cookie_check::forged);
  auto bad = c;
  bad[udp::cookie_size - 1] ^= 1;
  a = udp::answer_unverified(udp::encode_data(bad, gate_ping_frame), gate_ann, gate_t0, jar,
                             gate_limits);
  EXPECT_EQ(a.what, verdict::drop);
  EXPECT_EQ(a.check, cookie_check::forged);
}

TEST(UdpGateTest, AnExpiredCookieGetsAFreshOneNoLargerThanTheData) {
  udp::cookies jar{gate_t0};
  auto c = handshake(jar, gate_ann, gate_t0);
  auto later = gate_t0 + jar.timing().lifetime + 1s;
  // The smallest DATA there is, one empty frame: 36 bytes, more than a COOKIE's 31, so every
  // well-formed DATA may be answered (the gate's size rule stays, for the invariant).
  auto small = udp::encode_data(c, gate_ping_frame);
  ASSERT_EQ(small.size(), udp::data_prefix_size + gate_ping_frame.size());
  ASSERT_GE(small.size(), udp::cookie_datagram_size);
  auto a = udp::answer_unverified(small, gate_ann, later, jar, gate_limits);
  EXPECT_EQ(a.check, cookie_check::expired);
  ASSERT_EQ(a.what, verdict::reply);
  EXPECT_LE(a.reply_bytes().size(), small.size());
  auto d = std::get<udp::datagram>(udp::decode_datagram(a.reply_bytes(), gate_limits));
  EXPECT_TRUE(std::equal(d.echo.begin(), d.echo.end(), c.end() - udp::nonce_size))
      << "the echo is the stale tag's tail, which the client knows";
  EXPECT_EQ(jar.verify(d.cookie, gate_ann, later), cookie_check::ok);
}

TEST(UdpGateTest, CloseAndCookieAndMalformedDatagramsAreDropped) {
  udp::cookies jar{gate_t0};
  auto c = handshake(jar, gate_ann, gate_t0);
  auto cl = udp::encode_close(c);
  EXPECT_EQ(
      udp::answer_unverified({cl.data(), cl.size()}, gate_ann, gate_t0, jar, gate_limits).what,
      verdict::drop);
  auto ck = udp::encode_cookie(gate_nonce, c);
  EXPECT_EQ(
      udp::answer_unverified({ck.data(), ck.size()}, gate_ann, gate_t0, jar, gate_limits).what,
      verdict::drop);
  for (std::string stray : {std::string{}, std::string("\xCA"), std::string(100, 'A'),
                            udp::encode_data(c, gate_ping_frame + "x")}) {
    auto a = udp::answer_unverified(stray, gate_ann, gate_t0, jar, gate_limits);
    EXPECT_EQ(a.what, verdict::drop);
    EXPECT_TRUE(a.malformed);
  }
}

// Random datagrams (raw bytes, and bytes behind a valid header of each kind), from random
// addresses: whatever the gate does, a reply is never larger than what it answers, and only a
// DATA whose cookie this jar minted for that very peer opens a session.
TEST(UdpGateTest, NoReplyIsLargerThanItsRequestOverRandomDatagrams) {
  udp::cookies jar{gate_t0};
  std::mt19937 rng{20261206};
  auto byte = [&] { return static_cast<char>(rng() & 0xFF); };
  auto genuine = handshake(jar, gate_ann, gate_t0);
  int replies = 0, opened = 0;
  for (int i = 0; i < 200000; ++i) {
    std::size_t size = rng() % 2 ? rng() % 80 : rng() % 1300;
    std::string d(size, '\0');
    for (auto& ch : d)
      ch = byte();
    if (size >= 3 && rng() % 4 != 0) {
      d[0] = '\xCA';
      d[1] = '\x01';
      d[2] = static_cast<char>(1 + rng() % 4);
    }
    if (i % 50 == 0) d = udp::encode_data(genuine, gate_ping_frame); // valid ones, from anyone
    auto from = i % 3 ? udp::peer::v4({10, 0, static_cast<uint8_t>(rng()), 1}, 7) : gate_ann;
    auto a = udp::answer_unverified(d, from, gate_t0 + std::chrono::seconds(rng() % 300), jar,
                                    gate_limits);
    if (a.what == verdict::reply) {
      ++replies;
      ASSERT_LE(a.reply_bytes().size(), d.size()) << "datagram " << i;
    }
    if (a.what == verdict::open) {
      ++opened;
      ASSERT_EQ(from, gate_ann);
      ASSERT_EQ(a.cookie, genuine);
    }
  }
  EXPECT_GT(replies, 1000) << "the random HELLOs were answered";
  EXPECT_GT(opened, 100) << "the genuine DATAs from gate_ann within the lifetime opened";
}

} // namespace
