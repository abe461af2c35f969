// udp_endpoint_test.cpp -- UDP sessions of a real in-process server over 127.0.0.1 (docs/
// PROTOCOL.md "Datagrams (UDP)"): they chat with TCP clients, get large frames as PART frames one
// per datagram, are admitted under the shared --max-connections, idle out, end by CLOSE, start
// over with a new cookie, survive a malformed DATA, and are closed at shutdown.
#include "messages/frame_encoder.hpp"
#include "messages/multipart.hpp"
#include "messages/multipart_reassembly.hpp"
#include "messages/protocol_v2.hpp"
#include "tests/support/tcp_frame_client.hpp"
#include "tests/transport/udp_server_fixture.hpp"
#include "transport/udp_packer.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace std::chrono_literals;
using chat::test::tcp_frame_client;
using chat::test::udp_client;
using chat::test::udp_frame;
namespace v2 = chat::v2;
namespace udp = chat::transport::udp;

using namespace chat::test::udp_test_types;

class UdpEndpointTest : public chat::test::UdpServerTest {};

TEST_F(UdpEndpointTest, UdpAndTcpClientsChatInTheLobby) {
  start();
  tcp_frame_client tom{tcp_port()};
  udp_client ann{udp_port()};
  ASSERT_TRUE(tom.log_in("tom"));
  ASSERT_TRUE(ann.log_in("ann"));

  ASSERT_TRUE(ann.send_frame(broadcast, "hello from udp"));
  EXPECT_EQ(tom.read_frame(), (udp_frame{broadcast, "ann: hello from udp"}));
  EXPECT_EQ(ann.read_frame(), (udp_frame{broadcast, "ann: hello from udp"}));
  ASSERT_TRUE(tom.send_frame(broadcast, "hi from tcp"));
  EXPECT_EQ(ann.read_frame(), (udp_frame{broadcast, "tom: hi from tcp"}));
  EXPECT_EQ(tom.read_frame(), (udp_frame{broadcast, "tom: hi from tcp"}));

  // The rest of version 1 over UDP: echo and ping, several frames in one DATA, in order.
  ASSERT_TRUE(ann.send_frames({{send_msg, "one"}, {ping, "two"}, {send_msg, "three"}}));
  EXPECT_EQ(ann.read_frame(), (udp_frame{send_msg, "Echo: one"}));
  EXPECT_EQ(ann.read_frame(), (udp_frame{pong, "two"}));
  EXPECT_EQ(ann.read_frame(), (udp_frame{send_msg, "Echo: three"}));
  EXPECT_EQ(stats().sessions_opened.load(), 1u);
}

TEST_F(UdpEndpointTest, Version2ChannelsAndDirectMessagesWorkAcrossTransports) {
  start();
  tcp_frame_client tom{tcp_port()};
  udp_client ann{udp_port()};
  ASSERT_TRUE(tom.log_in("tom", true));
  ASSERT_TRUE(ann.log_in("ann", true));
  auto send = [](auto& client, const chat::frame& f) {
    return client.send_frame(chat::type_of(f), chat::payload_of(f));
  };
  ASSERT_TRUE(send(ann, v2::encode(v2::join_request{1, "room"})));
  EXPECT_EQ(ann.read_frame(), as_read(v2::encode(v2::reply{1, v2::status::ok, ""})));
  auto ann_joined =
      as_read(v2::encode(v2::presence_event{"room", "ann", v2::presence_kind::joined}));
  EXPECT_EQ(ann.read_frame(), ann_joined);
  ASSERT_TRUE(send(tom, v2::encode(v2::join_request{7, "room"})));
  EXPECT_EQ(tom.read_frame(), as_read(v2::encode(v2::reply{7, v2::status::ok, ""})));
  auto tom_joined =
      as_read(v2::encode(v2::presence_event{"room", "tom", v2::presence_kind::joined}));
  EXPECT_EQ(tom.read_frame(), tom_joined);
  EXPECT_EQ(ann.read_frame(), tom_joined);

  ASSERT_TRUE(send(ann, v2::encode(v2::msg_request{2, "room", "over datagrams"})));
  auto delivery = as_read(v2::encode(v2::msg_delivery{"room", "ann", "over datagrams", 0}));
  EXPECT_EQ(tom.read_frame(), delivery);
  EXPECT_EQ(ann.read_frame(), delivery);
  ASSERT_TRUE(send(tom, v2::encode(v2::dm_request{8, "ann", "psst"})));
  EXPECT_EQ(ann.read_frame(), as_read(v2::encode(v2::dm_delivery{"tom", "psst"})));
  EXPECT_EQ(tom.read_frame(), as_read(v2::encode(v2::reply{8, v2::status::ok, ""})));
}

// The server cuts a frame that does not fit in one datagram into PART frames (PROTOCOL.md
// "Multi-part messages"), each alone in a DATA of at most --udp-max-datagram bytes; put back
// together, they are the frame a TCP client gets whole.
void expect_parts_make_the_frame(chat::test::UdpServerTest& test, std::size_t max_datagram,
                                 std::size_t text_size) {
  tcp_frame_client tom{test.tcp_port()};
  udp_client ann{test.udp_port()};
  ASSERT_TRUE(tom.log_in("tom"));
  ASSERT_TRUE(ann.log_in("ann"));
  auto before = ann.datas().size();
  std::string text(text_size, 'x');
  for (std::size_t i = 0; i < text.size(); ++i)
    text[i] = static_cast<char>('a' + i % 26);
  ASSERT_TRUE(tom.send_frame(broadcast, text));
  auto whole = udp_frame{broadcast, "tom: " + text};
  EXPECT_EQ(tom.read_frame(), whole) << "TCP gets it whole";

  v2::message_reassembly parts;
  std::size_t count = 0;
  for (;;) {
    auto f = ann.read_frame();
    ASSERT_TRUE(f) << "part " << count << " missing";
    ASSERT_EQ(f->type, v2::part_type) << *f;
    ++count;
    auto outcome = parts.add(f->payload, v2::reassembly_clock::now());
    if (outcome.what == v2::part_outcome::kind::incomplete) continue;
    ASSERT_EQ(outcome.what, v2::part_outcome::kind::complete) << outcome.error;
    EXPECT_EQ(outcome.id, 0u) << "a peer's first multi-part message is id 0";
    EXPECT_EQ((udp_frame{outcome.message.type, outcome.message.payload}), whole);
    break;
  }
  // A PART frame's body fills the datagram after the prefix and its 4-byte body_len.
  auto room = max_datagram - chat::transport::udp::data_prefix_size - 4 - v2::part_overhead;
  EXPECT_EQ(count, (1 + whole.payload.size() + room - 1) / room);
  ASSERT_EQ(ann.datas().size(), before + count);
  for (auto i = before; i < ann.datas().size(); ++i) {
    EXPECT_LE(ann.datas()[i].size, max_datagram);
    EXPECT_EQ(ann.datas()[i].frames, 1u) << "one PART per DATA";
  }
  EXPECT_EQ(ann.datas()[before].size, max_datagram) << "every part but the last fills its DATA";
}

TEST_F(UdpEndpointTest, AFrameLargerThanADatagramArrivesAsPartsOnePerDatagram) {
  start();
  expect_parts_make_the_frame(*this, 1200, 5000);
}

TEST_F(UdpEndpointTest, PartsFitTheSmallestDatagramBound) {
  chat::server_options options;
  options.udp_max_datagram = 256;
  start(options);
  expect_parts_make_the_frame(*this, 256, 3000);
}

// The other way: PART frames from a UDP client, each in its own DATA, go to the session like any
// frame, and the session puts the message together (docs/PROTOCOL.md "Who speaks it").
TEST_F(UdpEndpointTest, AMessageAUdpClientSendsInPartsReachesATcpClientWhole) {
  start();
  tcp_frame_client tom{tcp_port()};
  udp_client ann{udp_port()};
  ASSERT_TRUE(tom.log_in("tom"));
  ASSERT_TRUE(ann.log_in("ann"));
  std::string text(5000, 'q');
  v2::message_splitter splitter{
      {chat::transport::udp::datagram_packer::max_part_body(udp::default_max_datagram),
       v2::default_max_message, v2::default_max_parts}};
  auto split = splitter.split(broadcast, text);
  ASSERT_TRUE(std::holds_alternative<std::vector<chat::frame>>(split));
  auto& parts = std::get<std::vector<chat::frame>>(split);
  ASSERT_EQ(parts.size(), 5u);
  for (auto& part : parts)
    ASSERT_TRUE(ann.send_frame(chat::type_of(part), chat::payload_of(part)));
  EXPECT_EQ(tom.read_frame(), (udp_frame{broadcast, "ann: " + text}));
}

TEST_F(UdpEndpointTest, NoFreeSlotMeansServerFullThenCloseAndNothingKept) {
  chat::server_options options;
  options.max_connections = 1;
  start(options);
  {
    tcp_frame_client tom{tcp_port()};
    ASSERT_TRUE(tom.log_in("tom"));
    udp_client ann{udp_port()};
    ASSERT_TRUE(ann.handshake());
    ASSERT_TRUE(ann.send_frame(login_type, "ann"));
    std::vector<udp_frame> said;
    ASSERT_TRUE(ann.wait_closed(5s, &said)) << "CLOSE after the refusal";
    EXPECT_EQ(said, (std::vector<udp_frame>{{error, "server full"}}));
    EXPECT_EQ(udp_sessions(), 0u);
    EXPECT_EQ(server().open_connections(), 1u);
    EXPECT_EQ(stats().drops(chat::transport::udp_drop::server_full), 1u);
  }
  ASSERT_TRUE(wait_open(0)) << "the TCP client has gone";
  udp_client ann{udp_port()};
  ASSERT_TRUE(ann.log_in("ann")) << "the slot is the UDP peer's now";
  tcp_frame_client late{tcp_port()};
  EXPECT_EQ(late.read_frame(), (udp_frame{error, "server full"})) << "and TCP is refused";
}

TEST_F(UdpEndpointTest, ASilentSessionIsProbedThenTimedOutAndItsSlotFreed) {
  chat::server_options options;
  options.max_connections = 1;
  options.idle_interval = 200ms;
  options.idle_timeout = 1500ms; // slack for the PONG on a loaded machine
  start(options);
  udp_client ann{udp_port()};
  ASSERT_TRUE(ann.log_in("ann"));
  EXPECT_EQ(ann.read_frame(2s), (udp_frame{ping, ""})) << "the idle probe";
  ASSERT_TRUE(ann.send_frame(pong, ""));
  EXPECT_EQ(ann.read_frame(2s), (udp_frame{ping, ""})) << "the PONG was life: probed afresh";
  std::vector<udp_frame> said;
  ASSERT_TRUE(ann.wait_closed(5s, &said));
  EXPECT_EQ(said, (std::vector<udp_frame>{{error, "idle timeout"}}));
  ASSERT_TRUE(wait_open(0));
  udp_client bob{udp_port()};
  EXPECT_TRUE(bob.log_in("bob")) << "the slot was given back";
}

// The TCP test client answers a probe that comes before its login's answer (a test with a short
// idle interval may have one), as chat-client does.
TEST_F(UdpEndpointTest, ATcpClientProbedBeforeItsLoginAnswersTheProbeAndLogsIn) {
  chat::server_options options;
  options.idle_interval = 200ms;
  options.idle_timeout = 5s;
  start(options);
  tcp_frame_client tom{tcp_port()};
  ASSERT_TRUE(tom.readable(3s)) << "the idle probe, before any LOGIN";
  ASSERT_TRUE(tom.log_in("tom"));
  udp_client ann{udp_port()};
  ASSERT_TRUE(ann.log_in("ann"));
  ASSERT_TRUE(ann.send_frame(broadcast, "still there?"));
  auto got = tom.read_frame();
  while (got && got->type == ping) // the next probe, if the machine is slow
    got = tom.read_frame();
  EXPECT_EQ(got, (udp_frame{broadcast, "ann: still there?"}));
}

TEST_F(UdpEndpointTest, CloseFromTheClientEndsTheSessionAndFreesTheName) {
  start();
  tcp_frame_client tom{tcp_port()};
  udp_client ann{udp_port()};
  ASSERT_TRUE(tom.log_in("tom", true));
  ASSERT_TRUE(ann.log_in("ann", true));
  auto join = v2::encode(v2::join_request{1, "lobby"});
  ASSERT_TRUE(tom.send_frame(chat::type_of(join), chat::payload_of(join)));
  ASSERT_TRUE(tom.read_frame()); // REPLY
  ASSERT_TRUE(tom.read_frame()); // PRESENCE tom joined
  ASSERT_TRUE(ann.send_frame(chat::type_of(join), chat::payload_of(join)));
  auto ann_joined =
      as_read(v2::encode(v2::presence_event{"lobby", "ann", v2::presence_kind::joined}));
  EXPECT_EQ(tom.read_frame(), ann_joined);
  EXPECT_EQ(ann.read_frame(), as_read(v2::encode(v2::reply{1, v2::status::ok, ""})));
  EXPECT_EQ(ann.read_frame(), ann_joined);
  ASSERT_TRUE(ann.send_close());
  auto left = tom.read_frame();
  ASSERT_TRUE(left);
  auto event = v2::decode_presence_event(left->payload);
  ASSERT_TRUE(std::holds_alternative<v2::presence_event>(event)) << *left;
  EXPECT_EQ(std::get<v2::presence_event>(event).user, "ann");
  EXPECT_NE(std::get<v2::presence_event>(event).kind, v2::presence_kind::joined);
  ASSERT_TRUE(wait_open(1));
  // Nothing is said back to a peer that closed: the first datagram after its CLOSE is the COOKIE
  // for a HELLO it sends now (the endpoint answers in arrival order).
  auto nonce = ann.fresh_nonce();
  ASSERT_TRUE(ann.send_raw(chat::transport::udp::encode_hello(nonce)));
  auto next = ann.receive_raw(5s);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->size(), chat::transport::udp::cookie_datagram_size) << "a CLOSE came back";

  // The roster frees the name when the session is gone: LOGIN "ann" succeeds within a bound.
  tcp_frame_client again{tcp_port()};
  auto deadline = std::chrono::steady_clock::now() + 5s;
  for (;;) {
    ASSERT_TRUE(again.send_frame(login_type, "ann"));
    auto reply = again.read_frame();
    ASSERT_TRUE(reply);
    if (*reply == udp_frame{login_type, "Login OK"}) break;
    ASSERT_EQ(*reply, (udp_frame{login_type, "Login failed: name taken"}));
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the name stayed taken";
  }
}

TEST_F(UdpEndpointTest, ADuplicatedDataIsHandledOnceAndALateOneStillCounts) {
  start();
  udp_client ann{udp_port()};
  ASSERT_TRUE(ann.log_in("ann"));
  auto once = ann.next_data({{ping, "once"}});
  ASSERT_TRUE(ann.send_raw(once));
  ASSERT_TRUE(ann.send_raw(once)) << "the network's copy";
  auto first = ann.next_data({{ping, "first"}}); // numbered before `second`, arrives after it
  auto second = ann.next_data({{ping, "second"}});
  ASSERT_TRUE(ann.send_raw(second));
  ASSERT_TRUE(ann.send_raw(first));
  ASSERT_TRUE(ann.send_raw(second));
  ASSERT_TRUE(ann.send_frame(ping, "after"));
  EXPECT_EQ(ann.read_frame(), (udp_frame{pong, "once"}));
  EXPECT_EQ(ann.read_frame(), (udp_frame{pong, "second"})) << "not a second \"once\"";
  EXPECT_EQ(ann.read_frame(), (udp_frame{pong, "first"})) << "reordered, and new: handled";
  EXPECT_EQ(ann.read_frame(), (udp_frame{pong, "after"})) << "not a second \"second\"";
  EXPECT_EQ(stats().drops(chat::transport::udp_drop::replayed), 2u);
}

TEST_F(UdpEndpointTest, ADataNumberedZeroIsNeverHandledEvenWhenItOpensTheSession) {
  start();
  udp_client ann{udp_port()};
  ASSERT_TRUE(ann.handshake());
  auto login = chat::test::frame_bytes(login_type, "ann");
  ASSERT_TRUE(ann.send_raw(chat::transport::udp::encode_data(ann.cookie(), login, 0)));
  ASSERT_TRUE(ann.send_raw(chat::transport::udp::encode_data(ann.cookie(), login, 1)));
  EXPECT_EQ(ann.read_frame(), (udp_frame{login_type, "Login OK"})) << "once, for the second";
  ASSERT_TRUE(ann.send_raw(chat::transport::udp::encode_data(ann.cookie(), login, 0)));
  ASSERT_TRUE(ann.send_raw(chat::transport::udp::encode_data(ann.cookie(), login, 2)));
  EXPECT_EQ(ann.read_frame(), (udp_frame{login_type, "Login failed: already logged in as ann"}));
  EXPECT_EQ(stats().drops(chat::transport::udp_drop::replayed), 2u);
}

TEST_F(UdpEndpointTest, AMalformedDataFromASessionIsAnsweredAndTheSessionStays) {
  start();
  udp_client ann{udp_port()};
  ASSERT_TRUE(ann.log_in("ann"));
  auto prefix = chat::transport::udp::encode_data_prefix(ann.cookie());
  std::string bad{prefix.data(), prefix.size()};
  bad += chat::test::frame_bytes(send_msg, "fine");
  bad += std::string{"\x00\x00\x00\x00\x05", 5}; // body_len 0
  ASSERT_TRUE(ann.send_raw(bad));
  EXPECT_EQ(ann.read_frame(), (udp_frame{error, "malformed datagram"}))
      << "and not the echo: nothing in the DATA is handled";
  ASSERT_TRUE(ann.send_frame(ping, "still here"));
  EXPECT_EQ(ann.read_frame(), (udp_frame{pong, "still here"}));
  EXPECT_EQ(stats().malformed_notices.load(), 1u);
}

TEST_F(UdpEndpointTest, ANewCookieFromTheSamePeerReplacesItsSession) {
  chat::server_options options;
  options.max_connections = 1; // the new session takes the old one's slot
  start(options);
  udp_client ann{udp_port()};
  ASSERT_TRUE(ann.log_in("ann"));
  auto old_cookie = ann.cookie();
  // A cookie names its address, port and minting second: the next second mints another one.
  ASSERT_TRUE(wait_past_second(minted_second(old_cookie)));
  ASSERT_TRUE(ann.handshake()) << "a client that lost its state starts over";
  ASSERT_NE(ann.cookie(), old_cookie);
  ASSERT_TRUE(ann.send_frame(ping, "new"));
  EXPECT_EQ(ann.read_frame(), (udp_frame{pong, "new"}));
  EXPECT_EQ(stats().sessions_opened.load(), 2u);
  EXPECT_TRUE(wait_open(1));
  EXPECT_EQ(stats().drops(chat::transport::udp_drop::server_full), 0u);
}

TEST_F(UdpEndpointTest, ShutdownSaysSoAndClosesEveryUdpSession) {
  start();
  udp_client ann{udp_port()}, bob{udp_port()};
  ASSERT_TRUE(ann.log_in("ann"));
  ASSERT_TRUE(bob.log_in("bob"));
  server().stop();
  for (auto* c : {&ann, &bob}) {
    std::vector<udp_frame> said;
    ASSERT_TRUE(c->wait_closed(5s, &said));
    EXPECT_EQ(said, (std::vector<udp_frame>{{error, "server shutting down"}}));
  }
  EXPECT_TRUE(wait_open(0));
}

} // namespace
