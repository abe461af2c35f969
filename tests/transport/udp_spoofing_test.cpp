// udp_spoofing_test.cpp -- what a peer that never proved its address gets from a real in-process
// server (docs/PROTOCOL.md "Peers without a session"): no session, no reply but a COOKIE of 31
// bytes to a datagram at least that large, and, under a flood, no memory.
//
// "No reply" is shown without waiting for a silence: after the datagrams under test, the same
// socket sends a HELLO, and the first datagram back must be that HELLO's COOKIE. The endpoint
// handles datagrams one at a time in arrival order, so any answer to an earlier one would have
// come first.
#include "tests/transport/udp_server_fixture.hpp"

#include <gtest/gtest.h>

#include <malloc.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using chat::test::frame_bytes;
using chat::test::udp_client;
using chat::transport::udp_drop;
namespace udp = chat::transport::udp;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool udp_sanitized_build = true; // their allocators keep memory of their own
#else
constexpr bool udp_sanitized_build = false;
#endif

using namespace chat::test::udp_test_types;

class UdpSpoofingTest : public chat::test::UdpServerTest {};

// The next datagram `c` receives is the COOKIE for a HELLO it sends now: nothing earlier was
// answered.
testing::AssertionResult only_the_probe_is_answered(udp_client& c) {
  auto nonce = c.fresh_nonce();
  if (!c.send_raw(udp::encode_hello(nonce))) return testing::AssertionFailure() << "send";
  auto reply = c.receive_raw(5s);
  if (!reply) return testing::AssertionFailure() << "the probe HELLO was not answered";
  auto decoded = udp::decode_datagram(*reply, udp::datagram_limits{});
  auto* d = std::get_if<udp::datagram>(&decoded);
  if (reply->size() != udp::cookie_datagram_size || !d || d->kind != udp::datagram_kind::cookie ||
      d->echo != nonce)
    return testing::AssertionFailure()
           << "a datagram of " << reply->size() << " bytes came before the probe's COOKIE";
  return testing::AssertionSuccess();
}

TEST_F(UdpSpoofingTest, DatagramsWithoutAProvenAddressOpenNothingAndGetNoReply) {
  start();
  udp_client genuine{udp_port()}; // completes the exchange; its cookie is for its own port
  ASSERT_TRUE(genuine.handshake());
  auto theirs = genuine.cookie();
  auto bit_flipped = theirs;
  bit_flipped.back() ^= 1;
  auto made_up = theirs; // a plausible minting time, a tag of the forger's choosing
  for (std::size_t i = udp::cookie_time_size; i < made_up.size(); ++i)
    made_up[i] = static_cast<uint8_t>(i * 37);
  auto login = frame_bytes(login_type, "mallory");
  auto close = udp::encode_close(theirs);
  auto echo = udp::encode_cookie(genuine.fresh_nonce(), theirs);
  auto hello = udp::encode_hello(genuine.fresh_nonce());
  const std::vector<std::string> attacks{
      udp::encode_data(bit_flipped, login),
      udp::encode_data(theirs, login), // minted for another port
      udp::encode_data(made_up, login),
      {close.data(), close.size()},                                 // no session to close
      {echo.data(), echo.size()},                                   // servers take no COOKIE
      hello.substr(0, udp::min_hello_size - 1),                     // too short to answer
      udp::encode_data(theirs, std::string{"\x00\x00\x00\x00", 4}), // a bad frame
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
      std::string(udp::default_max_datagram + 1, '\xCA'),
  };
  udp_client spoofer{udp_port()};
  for (auto& a : attacks)
    ASSERT_TRUE(spoofer.send_raw(a));
  EXPECT_TRUE(only_the_probe_is_answered(spoofer));
  EXPECT_EQ(server().open_connections(), 0u);
  EXPECT_EQ(stats().sessions_opened.load(), 0u);
  EXPECT_EQ(stats().drops(udp_drop::forged_cookie), 3u);
  EXPECT_EQ(stats().drops(udp_drop::no_session), 2u);
  EXPECT_EQ(stats().drops(udp_drop::short_hello), 1u);
  EXPECT_EQ(stats().drops(udp_drop::bad_frame), 1u);
  EXPECT_EQ(stats().drops(udp_drop::wrong_magic), 1u);
  EXPECT_EQ(stats().drops(udp_drop::too_large), 1u);
  EXPECT_EQ(genuine.foreign(), 0u) << "nothing reached the genuine client either";

  ASSERT_TRUE(genuine.send_frame(login_type, "ann")) << "its cookie still opens its session";
  EXPECT_EQ(genuine.read_frame(), (chat::test::udp_frame{login_type, "Login OK"}));
}

TEST_F(UdpSpoofingTest, AHelloGetsExactlyOneCookieOf31Bytes) {
  start();
  udp_client c{udp_port()};
  for (std::size_t size : {udp::min_hello_size, std::size_t{1200}}) {
    auto nonce = c.fresh_nonce();
    ASSERT_TRUE(c.send_raw(udp::encode_hello(nonce, size)));
    auto reply = c.receive_raw(5s);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->size(), 31u);
    auto decoded = udp::decode_datagram(*reply, udp::datagram_limits{});
    ASSERT_TRUE(std::holds_alternative<udp::datagram>(decoded));
    EXPECT_EQ(std::get<udp::datagram>(decoded).kind, udp::datagram_kind::cookie);
    EXPECT_EQ(std::get<udp::datagram>(decoded).echo, nonce);
    EXPECT_TRUE(only_the_probe_is_answered(c)) << "one answer per HELLO";
  }
  EXPECT_EQ(server().open_connections(), 0u) << "a HELLO keeps nothing";
}

// A cookie past its lifetime: a DATA gets exactly one fresh COOKIE (echoing the stale tag's last
// 8 bytes), never larger than the DATA, even the smallest there is; none opens a session.
TEST_F(UdpSpoofingTest, AStaleCookieOpensNothingAndIsRefreshedOnlyWithoutAmplification) {
  chat::server_options options;
  options.udp_cookies = {1s, 1s};
  start(options);
  udp_client c{udp_port()};
  ASSERT_TRUE(c.handshake());
  auto stale = c.cookie();
  // Expired once more than its lifetime (1 s) has passed since the second it was minted in.
  ASSERT_TRUE(wait_past_second(minted_second(stale) + 1));
  auto small = udp::encode_data(stale, frame_bytes(ping, ""));
  ASSERT_EQ(small.size(), 36u) << "the smallest DATA: one empty frame";
  ASSERT_TRUE(c.send_raw(small));
  auto reply = c.receive_raw(5s);
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->size(), 31u) << "a COOKIE, smaller than what it answers";
  auto decoded = udp::decode_datagram(*reply, udp::datagram_limits{});
  ASSERT_TRUE(std::holds_alternative<udp::datagram>(decoded));
  auto& fresh = std::get<udp::datagram>(decoded);
  ASSERT_EQ(fresh.kind, udp::datagram_kind::cookie);
  EXPECT_TRUE(std::equal(fresh.echo.begin(), fresh.echo.end(), stale.end() - udp::nonce_size));
  EXPECT_TRUE(only_the_probe_is_answered(c));
  EXPECT_EQ(server().open_connections(), 0u);
  EXPECT_EQ(stats().drops(udp_drop::expired_cookie), 0u) << "answered, not dropped";

  c.use_cookie(fresh.cookie);
  ASSERT_TRUE(c.send_raw(udp::encode_data(fresh.cookie, frame_bytes(login_type, "ann"))));
  EXPECT_EQ(c.read_frame(), (chat::test::udp_frame{login_type, "Login OK"}));
}

std::size_t heap_in_use() {
  auto m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

// 50,000 HELLOs and 50,000 DATAs with a cookie of another port, from four sockets, in bursts
// that a probe HELLO closes (so the server has handled each burst before the next, and nothing
// is lost to a full socket buffer): no session, and the heap of the whole process (server and
// test) where it was.
TEST_F(UdpSpoofingTest, AFloodOfHellosAndForgedDataLeavesMemoryFlatAndOpensNothing) {
  start();
  udp_client genuine{udp_port()};
  ASSERT_TRUE(genuine.handshake());
  const auto hello = udp::encode_hello(genuine.fresh_nonce());
  const auto forged = udp::encode_data(genuine.cookie(), frame_bytes(login_type, "flood"));
  std::vector<std::unique_ptr<udp_client>> flooders;
  for (int i = 0; i < 4; ++i)
    flooders.push_back(std::make_unique<udp_client>(udp_port()));
  udp_client probe{udp_port()};
  auto flood = [&](int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(flooders[i % 4]->send_raw(i % 2 ? forged : hello));
      if (i % 100 == 99) {
        ASSERT_TRUE(only_the_probe_is_answered(probe)) << "after " << i + 1;
      }
    }
  };
  flood(4000); // first uses: OpenSSL's caches, the I/O thread's handler memory
  auto heap_before = heap_in_use();
  auto in_before = stats().datagrams_in.load();
  auto cookies_before = stats().cookies_sent.load();
  auto forged_before = stats().drops(udp_drop::forged_cookie);
  flood(100000);
  auto heap_after = heap_in_use();

  EXPECT_EQ(server().open_connections(), 0u);
  EXPECT_EQ(stats().sessions_opened.load(), 0u);
  auto probes = 1000u;
  EXPECT_EQ(stats().datagrams_in.load() - in_before, 100000u + probes) << "none lost";
  EXPECT_EQ(stats().cookies_sent.load() - cookies_before, 50000u + probes);
  EXPECT_EQ(stats().drops(udp_drop::forged_cookie) - forged_before, 50000u);
  if (udp_sanitized_build) GTEST_SKIP() << "heap " << heap_before << " -> " << heap_after;
  EXPECT_LE(heap_after, heap_before + 256 * 1024)
      << "the heap in use grew from " << heap_before << " to " << heap_after;
}

} // namespace
