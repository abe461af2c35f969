// session_test.cpp -- the session actor's version-1 rules, driven deterministically with a real
// roster and real channels and a recording connection (no sockets).
#include "messages/frame_encoder.hpp"
#include "tests/actors/session_fixture.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/frame_bytes.hpp"
#include "tests/support/recording_connection.hpp"

#include <memory>

namespace {

using chat::test::copy_of;

using chat::frame_type;
using chat::inbound_frame;
using chat::test::in;
using frames = std::vector<inbound_frame>;

using chat::test::SessionTest;
using chat::test::silent_roster;

TEST_F(SessionTest, LoginWithFreeNameIsAccepted) {
  auto [s, conn] = connect();
  receive(s, in(frame_type::login, "ann"));
  EXPECT_EQ(conn->take(), frames{in(frame_type::login, "Login OK")});
  EXPECT_EQ(members(), 1u);
}

TEST_F(SessionTest, LoginWithTakenNameIsRefused) {
  auto [ann, ann_conn] = connect();
  auto [imp, imp_conn] = connect();
  receive(ann, in(frame_type::login, "ann"));
  receive(imp, in(frame_type::login, "ann"));
  EXPECT_EQ(imp_conn->take(), frames{in(frame_type::login, "Login failed: name taken")});
  EXPECT_EQ(members(), 1u);
}

TEST_F(SessionTest, InvalidNameIsRefusedWithItsReason) {
  auto [s, conn] = connect();
  receive(s, in(frame_type::login, " ann"));
  EXPECT_EQ(conn->take(), frames{in(frame_type::login,
                                    "Login failed: name has leading or trailing white space")});
  EXPECT_EQ(members(), 0u);
}

TEST_F(SessionTest, InvalidUtf8NameGetsErrorAndLoginReply) {
  auto [s, conn] = connect();
  receive(s, in(frame_type::login, "\xFF"));
  EXPECT_EQ(conn->take(), (frames{in(frame_type::error, "invalid UTF-8"),
                                  in(frame_type::login, "Login failed: name is not valid UTF-8")}));
}

TEST_F(SessionTest, SecondLoginOnOneConnectionIsRefused) {
  auto [s, conn] = connect();
  receive(s, in(frame_type::login, "ann"));
  conn->take();
  receive(s, in(frame_type::login, "bob"));
  EXPECT_EQ(conn->take(), frames{in(frame_type::login, "Login failed: already logged in as ann")});
  EXPECT_EQ(members(), 1u);
}

TEST_F(SessionTest, BroadcastBeforeLoginIsRefusedAndNotBroadcast) {
  auto [ann, ann_conn] = connect();
  auto [bob, bob_conn] = connect();
  receive(ann, in(frame_type::login, "ann"));
  ann_conn->take();
  receive(bob, in(frame_type::broadcast_msg, "hi"));
  EXPECT_EQ(bob_conn->take(), frames{in(frame_type::error, "login first")});
  EXPECT_TRUE(ann_conn->take().empty());
}

TEST_F(SessionTest, BroadcastReachesEveryMemberIncludingTheSender) {
  auto [ann, ann_conn] = connect();
  auto [bob, bob_conn] = connect();
  receive(ann, in(frame_type::login, "ann"));
  receive(bob, in(frame_type::login, "bob"));
  ann_conn->take();
  bob_conn->take();
  receive(ann, in(frame_type::broadcast_msg, "hello"));
  auto a = ann_conn->take_raw();
  auto b = bob_conn->take_raw();
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(chat::bytes(a[0]), copy_of(chat::encode_broadcast("ann", "hello")));
  EXPECT_EQ(chat::bytes(a[0]).data(), chat::bytes(b[0]).data()); // shared, not copied
}

TEST_F(SessionTest, SendMsgIsEchoedBeforeLoginToo) {
  auto [s, conn] = connect();
  receive(s, in(frame_type::send_msg, "hi"));
  EXPECT_EQ(conn->take(), frames{in(frame_type::send_msg, "Echo: hi")});
}

TEST_F(SessionTest, InvalidUtf8TextGetsErrorAndConnectionStays) {
  auto [s, conn] = connect();
  receive(s, in(frame_type::send_msg, "\xC0\xAF"));
  EXPECT_EQ(conn->take(), frames{in(frame_type::error, "invalid UTF-8")});
  EXPECT_FALSE(conn->closed());
}

TEST_F(SessionTest, UnknownTypeGetsErrorAndConnectionStays) {
  auto [s, conn] = connect();
  receive(s, {9, "x"});
  EXPECT_EQ(conn->take(), frames{in(frame_type::error, "unknown frame type 9")});
  EXPECT_FALSE(conn->closed());
}

TEST_F(SessionTest, PingIsAnsweredWithTheSamePayload) {
  auto [s, conn] = connect();
  receive(s, in(frame_type::ping, std::string("\x00\xFF", 2)));
  EXPECT_EQ(conn->take(), frames{in(frame_type::pong, std::string("\x00\xFF", 2))});
}

TEST_F(SessionTest, ErrorAndPongFromClientAreNotAnswered) {
  auto [s, conn] = connect();
  receive(s, in(frame_type::error, "I am upset"));
  receive(s, in(frame_type::pong, "x"));
  EXPECT_TRUE(conn->take().empty());
}

TEST_F(SessionTest, FramesBehindAPendingLoginAreAnsweredAfterIt) {
  auto [s, conn] = connect();
  caf::anon_send(s, chat::received_atom_v, in(frame_type::login, "ann"));
  caf::anon_send(s, chat::received_atom_v, in(frame_type::broadcast_msg, "hi"));
  caf::anon_send(s, chat::received_atom_v, in(frame_type::send_msg, "yo"));
  sched.run();
  EXPECT_EQ(conn->take(),
            (frames{in(frame_type::login, "Login OK"), in(frame_type::send_msg, "Echo: yo"),
                    in(frame_type::broadcast_msg, "ann: hi")}));
}

TEST_F(SessionTest, UnansweredLoginTimesOutAsServerBusy) {
  auto quiet = sys.spawn(silent_roster);
  auto [s, conn] = connect(quiet);
  receive(s, in(frame_type::login, "ann"));
  receive(s, in(frame_type::send_msg, "held"));
  EXPECT_TRUE(conn->take().empty());
  sched.advance_time(chat::login_timeout);
  sched.run();
  EXPECT_EQ(conn->take(), (frames{in(frame_type::login, "Login failed: server busy"),
                                  in(frame_type::send_msg, "Echo: held")}));
  self->send_exit(quiet, caf::exit_reason::user_shutdown);
}

TEST_F(SessionTest, TooManyFramesBehindAPendingLoginCloseTheConnection) {
  auto quiet = sys.spawn(silent_roster);
  auto [s, conn] = connect(quiet);
  receive(s, in(frame_type::login, "ann"));
  for (std::size_t i = 0; i < chat::max_held_frames; ++i)
    caf::anon_send(s, chat::received_atom_v, in(frame_type::send_msg, "x"));
  sched.run();
  EXPECT_FALSE(conn->closed());
  receive(s, in(frame_type::send_msg, "one too many"));
  EXPECT_EQ(conn->take(), frames{in(frame_type::error, "too many frames while login is pending")});
  EXPECT_TRUE(conn->closed());
  self->send_exit(quiet, caf::exit_reason::user_shutdown);
}

TEST_F(SessionTest, FramingViolationIsAnsweredThenClosed) {
  auto [s, conn] = connect();
  caf::anon_send(s, chat::violated_atom_v, std::string{"frame too large"});
  sched.run();
  EXPECT_EQ(conn->take(), frames{in(frame_type::error, "frame too large")});
  EXPECT_TRUE(conn->closed());
}

TEST_F(SessionTest, ClosedConnectionEndsSessionAndFreesName) {
  auto [s, conn] = connect();
  receive(s, in(frame_type::login, "ann"));
  self->monitor(s);
  caf::anon_send(s, chat::closed_atom_v, std::string{"peer closed"});
  sched.run();
  bool down = false;
  self->receive([&](const caf::down_msg&) { down = true; },
                caf::after(std::chrono::seconds(0)) >> [] {});
  EXPECT_TRUE(down);
  EXPECT_EQ(members(), 0u);
}

TEST_F(SessionTest, SessionDeathClosesItsConnection) {
  auto [s, conn] = connect();
  caf::anon_send_exit(s, caf::exit_reason::kill);
  sched.run();
  EXPECT_TRUE(conn->closed());
}

TEST_F(SessionTest, BroadcastsBeyondTheBurstWaitForTheirTokenAndSoDoesEverythingAfterThem) {
  limits.max_broadcast_rate = 2; // one token every 500 ms
  limits.broadcast_burst = 3;
  auto [s, conn] = connect();
  receive(s, in(frame_type::login, "ann"));
  conn->take();
  auto credited = conn->frames_done();
  for (int i = 1; i <= 4; ++i)
    receive(s, in(frame_type::broadcast_msg, "m" + std::to_string(i)));
  receive(s, in(frame_type::send_msg, "after m4"));
  EXPECT_EQ(conn->take(), (frames{in(frame_type::broadcast_msg, "ann: m1"),
                                  in(frame_type::broadcast_msg, "ann: m2"),
                                  in(frame_type::broadcast_msg, "ann: m3")}));
  EXPECT_EQ(conn->frames_done(), credited + 3)
      << "m4 and the echo after it are not handled yet: the transport's read credit stays used";
  sched.advance_time(std::chrono::milliseconds(499));
  sched.run();
  EXPECT_TRUE(conn->take().empty()) << "a token every 500 ms";
  sched.advance_time(std::chrono::milliseconds(2));
  sched.run();
  // Both handled now, in order; the broadcast comes back through the lobby, the echo directly.
  auto got = conn->take();
  ASSERT_EQ(got.size(), 2u) << "nothing refused";
  EXPECT_EQ(std::count(got.begin(), got.end(), in(frame_type::broadcast_msg, "ann: m4")), 1);
  EXPECT_EQ(std::count(got.begin(), got.end(), in(frame_type::send_msg, "Echo: after m4")), 1);
  EXPECT_EQ(conn->frames_done(), credited + 5);
  EXPECT_FALSE(conn->closed());
}

TEST_F(SessionTest, AClientThatStaysBehindTheAllowanceForTheFloodTimeoutIsCut) {
  limits.max_broadcast_rate = 10; // one token every 100 ms
  limits.broadcast_burst = 1;
  limits.flood_timeout = std::chrono::milliseconds(1000);
  auto [s, conn] = connect();
  receive(s, in(frame_type::login, "ann"));
  conn->take();
  for (int i = 0; i < 30; ++i) // three seconds' worth at once
    receive(s, in(frame_type::broadcast_msg, "f" + std::to_string(i)));
  for (int step = 0; step < 9; ++step) { // 900 ms: behind, but not for long enough yet
    sched.advance_time(std::chrono::milliseconds(100));
    sched.run();
  }
  EXPECT_EQ(conn->take().size(), 10u) << "one at once, then one per token";
  EXPECT_FALSE(conn->closed());
  sched.advance_time(std::chrono::milliseconds(100));
  sched.run();
  auto got = conn->take(); // f10 had its token; f11 would have waited on
  EXPECT_EQ(std::count(got.begin(), got.end(), in(frame_type::error, "excess flood")), 1);
  EXPECT_EQ(std::count(got.begin(), got.end(), in(frame_type::broadcast_msg, "ann: f11")), 0);
  EXPECT_TRUE(conn->closed());
}

TEST_F(SessionTest, AClientThatCatchesUpStartsAFreshFloodTimeout) {
  limits.max_broadcast_rate = 10;
  limits.broadcast_burst = 1;
  limits.flood_timeout = std::chrono::milliseconds(1000);
  auto [s, conn] = connect();
  receive(s, in(frame_type::login, "ann"));
  for (int round = 0; round < 4; ++round) { // 4 s in all, each time behind for 600 ms only
    for (int i = 0; i < 6; ++i)
      receive(s, in(frame_type::broadcast_msg, "r" + std::to_string(round)));
    for (int step = 0; step < 10; ++step) {
      sched.advance_time(std::chrono::milliseconds(100));
      sched.run();
    }
  }
  EXPECT_FALSE(conn->closed()) << "caught up each time: not an excess flood";
  auto got = conn->take();
  EXPECT_EQ(std::count(got.begin(), got.end(), in(frame_type::error, "excess flood")), 0);
  EXPECT_EQ(got.size(), 1u + 24u) << "Login OK and every message";
}

TEST_F(SessionTest, TextWhoseReplyWouldPassMaxFrameGetsMessageTooLong) {
  limits.max_frame = 40; // body: type byte + payload
  auto [s, conn] = connect();
  receive(s, in(frame_type::login, "ann"));
  conn->take();
  receive(s, in(frame_type::send_msg, std::string(33, 'e'))); // 1 + 6 + 33 = 40: fits
  receive(s, in(frame_type::send_msg, std::string(34, 'e'))); // 41: does not
  // A broadcast reaches the default channel's version-2 members too, as MSG, whose body is the
  // larger: 1 + (1 + 5) lobby + (1 + 3) ann + (4 + 17) + 8 (offset) = 40.
  receive(s, in(frame_type::broadcast_msg, std::string(17, 'b')));
  receive(s, in(frame_type::broadcast_msg, std::string(18, 'b')));
  EXPECT_EQ(conn->take(), (frames{in(frame_type::send_msg, "Echo: " + std::string(33, 'e')),
                                  in(frame_type::error, "message too long"),
                                  in(frame_type::broadcast_msg, "ann: " + std::string(17, 'b')),
                                  in(frame_type::error, "message too long")}));
}

TEST_F(SessionTest, ZeroRateMeansNoLimit) {
  limits.max_broadcast_rate = 0;
  auto [s, conn] = connect();
  receive(s, in(frame_type::login, "ann"));
  conn->take();
  for (int i = 0; i < 500; ++i)
    caf::anon_send(s, chat::received_atom_v, in(frame_type::broadcast_msg, "x"));
  sched.run();
  EXPECT_EQ(conn->take().size(), 500u);
}

TEST_F(SessionTest, EveryReceivedFrameIsReportedDoneOnceHeldOnesToo) {
  auto [s, conn] = connect();
  caf::anon_send(s, chat::received_atom_v, in(frame_type::login, "ann"));
  for (int i = 0; i < 9; ++i) // these wait behind the pending LOGIN
    caf::anon_send(s, chat::received_atom_v, in(frame_type::send_msg, "x"));
  sched.run();
  EXPECT_EQ(conn->frames_done(), 10u);
}

TEST_F(SessionTest, LoginThatTimedOutIsUndoneWhenTheRosterCatchesUp) {
  // The real roster, reached late: hold the session's join in a relay until after the timeout.
  auto [s, conn] = connect();
  auto [bob, bob_conn] = connect();
  receive(bob, in(frame_type::login, "bob"));
  bob_conn->take();
  caf::anon_send(s, chat::received_atom_v, in(frame_type::login, "ann"));
  sched.run_once();                        // the session sends its join ...
  sched.advance_time(chat::login_timeout); // ... and times out before the roster runs
  sched.run();
  EXPECT_EQ(conn->take(), frames{in(frame_type::login, "Login failed: server busy")});
  EXPECT_EQ(members(), 1u) << "the late join was not undone";
  receive(bob, in(frame_type::broadcast_msg, "hi"));
  EXPECT_TRUE(conn->take().empty()) << "a client whose login failed got a broadcast";
  receive(s, in(frame_type::login, "ann")); // the name is free, and one login still works
  EXPECT_EQ(conn->take(), frames{in(frame_type::login, "Login OK")});
}

TEST_F(SessionTest, BroadcastsReachingALoginThatTimedOutAreNotForwarded) {
  // Found by the session fuzzer: the join times out, then the roster admits the session, accepts a
  // broadcast and delivers it before the session's undoing leave arrives.
  auto [s, conn] = connect();
  auto [bob, bob_conn] = connect();
  receive(bob, in(frame_type::login, "bob"));
  bob_conn->take();
  caf::anon_send(s, chat::received_atom_v, in(frame_type::login, "ann"));
  sched.run_once(); // the session sends its join
  caf::anon_send(bob, chat::received_atom_v, in(frame_type::broadcast_msg, "hi"));
  sched.prioritize(bob);
  sched.run_once();                        // bob's broadcast is behind the join at the roster
  sched.advance_time(chat::login_timeout); // the session gives up before the roster runs
  sched.prioritize(roster);
  sched.run_once(); // the join; bob's broadcast reaches the lobby without ann
  sched.run();
  EXPECT_EQ(conn->take(), frames{in(frame_type::login, "Login failed: server busy")})
      << "a client whose login failed got a broadcast";
  EXPECT_EQ(members(), 1u);
}

} // namespace
