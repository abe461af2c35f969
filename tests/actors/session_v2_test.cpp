// session_v2_test.cpp -- the session's version-2 requests (HELLO, JOIN, LEAVE, MSG, DM, WHO,
// LIST) with a real roster and real channels, and version-1 clients beside version-2 ones.
#include "messages/frame_encoder.hpp"
#include "tests/actors/session_fixture.hpp"

#include <string>
#include <vector>

namespace {

namespace v2 = chat::v2;
using chat::frame_type;
using chat::inbound_frame;
using chat::test::in;
using chat::test::SessionTest;
using frames = std::vector<inbound_frame>;

template <class T> inbound_frame out(const T& value) {
  return in(v2::encode(value));
}
inbound_frame ok(uint32_t ref, std::string text = {}) {
  return out(v2::reply{ref, v2::status::ok, std::move(text)});
}
inbound_frame refused(uint32_t ref, std::string text) {
  return out(v2::reply{ref, v2::status::refused, std::move(text)});
}
inbound_frame joined(const std::string& ch, const std::string& user) {
  return out(v2::presence_event{ch, user, v2::presence_kind::joined});
}
inbound_frame error(std::string text) {
  return in(frame_type::error, std::move(text));
}

TEST_F(SessionTest, HelloIsAnsweredWithVersionFeaturesAndLimits) {
  limits.max_channels_per_user = 7;
  limits.page_size = 9;
  auto [s, conn] = connect();
  receive(s, in(v2::encode(v2::hello_request{2})));
  auto got = conn->take();
  ASSERT_EQ(got.size(), 1u);
  auto reply = v2::decode_hello_reply(got[0].payload);
  ASSERT_TRUE(std::holds_alternative<v2::hello_reply>(reply));
  auto& hello = std::get<v2::hello_reply>(reply);
  EXPECT_EQ(hello.version, 2);
  EXPECT_EQ(hello.features, "channels,direct,presence,history");
  EXPECT_EQ(hello.limits.max_channels_per_user, 7u);
  EXPECT_EQ(hello.limits.page_size, 9u);
  EXPECT_EQ(hello.limits.max_channel_name, 64u);
}

TEST_F(SessionTest, Version2FrameWithoutHelloIsUnknownToAVersion1Client) {
  auto [s, conn] = connect();
  receive(s, in(frame_type::login, "ann"));
  conn->take();
  receive(s, in(v2::encode(v2::join_request{1, "rust"})));
  EXPECT_EQ(conn->take(), frames{error("unknown frame type 8")});
  EXPECT_EQ(members_of("rust"), 0u);
}

TEST_F(SessionTest, HelloAfterLoginOrWithAnOldVersionIsRefused) {
  auto [s, conn] = connect();
  receive(s, in(v2::encode(v2::hello_request{1})));
  EXPECT_EQ(conn->take(), frames{error("unsupported protocol version 1")});
  receive(s, in(frame_type::login, "ann"));
  conn->take();
  receive(s, in(v2::encode(v2::hello_request{2})));
  EXPECT_EQ(conn->take(), frames{error("HELLO must come before LOGIN")});
}

TEST_F(SessionTest, Version2ClientIsNotPutInTheDefaultChannel) {
  auto [s, conn] = v2_user("ann");
  EXPECT_EQ(members_of("lobby"), 0u);
  receive(s, in(frame_type::broadcast_msg, "hi"));
  EXPECT_EQ(conn->take(), frames{error("not a member of lobby")});
}

TEST_F(SessionTest, JoinIsAnsweredThenPresenceAndMessagesFollow) {
  auto [ann, ann_conn] = v2_user("ann");
  auto [bob, bob_conn] = v2_user("bob");
  join(ann, "rust", 11);
  EXPECT_EQ(ann_conn->take(), (frames{ok(11), joined("rust", "ann")}));
  join(bob, "rust", 12);
  EXPECT_EQ(bob_conn->take(), (frames{ok(12), joined("rust", "bob")}));
  EXPECT_EQ(ann_conn->take(), frames{joined("rust", "bob")});
  receive(ann, in(v2::encode(v2::msg_request{13, "rust", "hello"})));
  auto hello = out(v2::msg_delivery{"rust", "ann", "hello"});
  EXPECT_EQ(ann_conn->take(), frames{hello}) << "no REPLY for a message that went out";
  EXPECT_EQ(bob_conn->take(), frames{hello});
}

TEST_F(SessionTest, MessageToAChannelNotJoinedIsRefused) {
  auto [s, conn] = v2_user("ann");
  receive(s, in(v2::encode(v2::msg_request{3, "rust", "hi"})));
  EXPECT_EQ(conn->take(), frames{refused(3, "not a member of rust")});
}

TEST_F(SessionTest, RequestsBeforeLoginAreRefusedLoginFirst) {
  auto [s, conn] = connect();
  receive(s, in(v2::encode(v2::hello_request{2})));
  conn->take();
  join(s, "rust", 4);
  receive(s, in(v2::encode(v2::list_request{5, "", 0})));
  EXPECT_EQ(conn->take(), (frames{refused(4, "login first"), refused(5, "login first")}));
}

TEST_F(SessionTest, BadChannelNamesAreRefusedWithTheirReason) {
  auto [s, conn] = v2_user("ann");
  join(s, "", 1);
  join(s, std::string(65, 'x'), 2);
  join(s, "a b", 3);
  join(s, "tab\there", 4);
  EXPECT_EQ(conn->take(), (frames{refused(1, "empty channel name"),
                                  refused(2, "channel name too long (at most 64 bytes)"),
                                  refused(3, "channel name contains white space"),
                                  refused(4, "channel name contains control characters")}));
  join(s, std::string(64, 'x'), 5);
  EXPECT_EQ(conn->take().front(), ok(5));
}

TEST_F(SessionTest, MalformedPayloadGetsErrorWithTheReasonAndTheConnectionStays) {
  auto [s, conn] = v2_user("ann");
  receive(s, {static_cast<uint8_t>(v2::type::join), std::string("\x01\x00\x00\x00\x28xy", 7)});
  auto got = conn->take();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, static_cast<uint8_t>(frame_type::error));
  EXPECT_EQ(got[0].payload.rfind("malformed JOIN: channel", 0), 0u) << got[0].payload;
  EXPECT_FALSE(conn->closed());
}

TEST_F(SessionTest, TooManyChannelsPerUserIsRefused) {
  limits.max_channels_per_user = 2;
  auto [s, conn] = v2_user("ann");
  join(s, "a", 1);
  join(s, "b", 2);
  join(s, "c", 3);
  auto got = conn->take();
  EXPECT_EQ(got.back(), refused(3, "too many channels (at most 2 per user)"));
  EXPECT_EQ(members_of("c"), 0u);
}

TEST_F(SessionTest, LeaveEndsMembershipAndTellsTheOthers) {
  auto [ann, ann_conn] = v2_user("ann");
  auto [bob, bob_conn] = v2_user("bob");
  join(ann, "c", 1);
  join(bob, "c", 2);
  ann_conn->take();
  receive(bob, in(v2::encode(v2::leave_request{3, "c"})));
  EXPECT_EQ(bob_conn->take(), (frames{ok(2), joined("c", "bob"), ok(3)}));
  EXPECT_EQ(ann_conn->take(), frames{out(v2::presence_event{"c", "bob", v2::presence_kind::left})});
  receive(bob, in(v2::encode(v2::leave_request{4, "c"})));
  EXPECT_EQ(bob_conn->take(), frames{refused(4, "not a member of c")});
  EXPECT_EQ(members_of("c"), 1u);
}

TEST_F(SessionTest, ClosedConnectionIsADroppedPresence) {
  auto [ann, ann_conn] = v2_user("ann");
  auto [bob, bob_conn] = v2_user("bob");
  join(ann, "c", 1);
  join(bob, "c", 2);
  ann_conn->take();
  caf::anon_send(bob, chat::closed_atom_v, std::string{"peer closed"});
  sched.run();
  EXPECT_EQ(ann_conn->take(),
            frames{out(v2::presence_event{"c", "bob", v2::presence_kind::dropped})});
}

TEST_F(SessionTest, DirectMessageIsDeliveredAndAcknowledged) {
  auto [ann, ann_conn] = v2_user("ann");
  auto [bob, bob_conn] = v2_user("bob");
  receive(ann, in(v2::encode(v2::dm_request{7, "bob", "psst"})));
  EXPECT_EQ(bob_conn->take(), frames{out(v2::dm_delivery{"ann", "psst"})});
  EXPECT_EQ(ann_conn->take(), frames{ok(7)});
}

TEST_F(SessionTest, DirectMessageToNobodyOrToAVersion1ClientIsRefused) {
  auto [ann, ann_conn] = v2_user("ann");
  auto [old, old_conn] = connect();
  receive(old, in(frame_type::login, "old"));
  old_conn->take();
  receive(ann, in(v2::encode(v2::dm_request{1, "nobody", "hi"})));
  receive(ann, in(v2::encode(v2::dm_request{2, "old", "hi"})));
  receive(ann, in(v2::encode(v2::dm_request{3, " bad name", "hi"})));
  EXPECT_EQ(ann_conn->take(),
            (frames{refused(1, "no such user"), refused(2, "user cannot receive direct messages"),
                    refused(3, "no such user")}));
  EXPECT_TRUE(old_conn->take().empty()) << "a version-1 client saw a version-2 frame";
}

TEST_F(SessionTest, OneAllowanceCoversBroadcastsChannelMessagesAndDirectMessages) {
  limits.max_broadcast_rate = 1;
  limits.broadcast_burst = 2;
  auto [ann, ann_conn] = v2_user("ann");
  auto [bob, bob_conn] = v2_user("bob");
  join(ann, "c", 1);
  ann_conn->take();
  receive(ann, in(v2::encode(v2::msg_request{2, "c", "one"})));
  receive(ann, in(v2::encode(v2::dm_request{3, "bob", "two"})));
  receive(ann, in(v2::encode(v2::msg_request{4, "c", "three"})));
  receive(ann, in(v2::encode(v2::dm_request{5, "bob", "four"})));
  EXPECT_EQ(ann_conn->take(), (frames{out(v2::msg_delivery{"c", "ann", "one"}), ok(3)}))
      << "the third message waits for its token, and the fourth behind it";
  sched.advance_time(std::chrono::seconds(1));
  sched.run();
  EXPECT_EQ(ann_conn->take(), (frames{out(v2::msg_delivery{"c", "ann", "three"})}));
  sched.advance_time(std::chrono::seconds(1));
  sched.run();
  EXPECT_EQ(ann_conn->take(), (frames{ok(5)}));
  EXPECT_EQ(bob_conn->take(),
            (frames{out(v2::dm_delivery{"ann", "two"}), out(v2::dm_delivery{"ann", "four"})}));
}

TEST_F(SessionTest, WhoAndListAnswerWithPagesClampedToThePageSize) {
  limits.page_size = 2;
  auto [ann, ann_conn] = v2_user("ann");
  auto [bob, bob_conn] = v2_user("bob");
  auto [cat, cat_conn] = v2_user("cat");
  for (auto* s : {&ann, &bob, &cat})
    join(*s, "c");
  join(ann, "d");
  for (auto* c : {&ann_conn, &bob_conn, &cat_conn})
    (*c)->take();
  receive(ann, in(v2::encode(v2::who_request{8, "c", "", 0})));
  EXPECT_EQ(ann_conn->take(), frames{out(v2::who_reply{8, "c", 3, {"ann", "bob"}, "bob"})});
  receive(ann, in(v2::encode(v2::who_request{9, "c", "bob", 50})));
  EXPECT_EQ(ann_conn->take(), frames{out(v2::who_reply{9, "c", 3, {"cat"}, ""})});
  receive(bob, in(v2::encode(v2::who_request{10, "d", "", 0})));
  EXPECT_EQ(bob_conn->take(), frames{out(v2::who_reply{10, "d", 1, {"ann"}, ""})})
      << "WHO of a channel one is not in";
  receive(bob, in(v2::encode(v2::who_request{11, "nowhere", "", 0})));
  EXPECT_EQ(bob_conn->take(), frames{refused(11, "no such channel")});
  receive(bob, in(v2::encode(v2::list_request{12, "", 0})));
  EXPECT_EQ(bob_conn->take(), frames{out(v2::list_reply{12, 2, {{"c", 3}, {"d", 1}}, ""})});
}

TEST_F(SessionTest, PagesThatWouldPassMaxFrameAreCutShorterWithANext) {
  limits.max_frame = 256;
  auto [ann, ann_conn] = v2_user(std::string(32, 'a'));
  std::vector<std::string> users;
  for (char c = 'b'; c <= 'k'; ++c) {
    auto [s, conn] = v2_user(std::string(32, c));
    join(s, "c");
  }
  ann_conn->take();
  receive(ann, in(v2::encode(v2::who_request{1, "c", "", 0})));
  auto got = ann_conn->take();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_LE(got[0].payload.size() + 1, 256u);
  auto page = std::get<v2::who_reply>(v2::decode_who_reply(got[0].payload));
  EXPECT_EQ(page.total, 10u);
  ASSERT_FALSE(page.names.empty());
  EXPECT_LT(page.names.size(), 10u);
  EXPECT_EQ(page.next, page.names.back());
}

TEST_F(SessionTest, Version1AndVersion2ClientsChatInTheDefaultChannel) {
  auto [old, old_conn] = connect();
  receive(old, in(frame_type::login, "old"));
  EXPECT_EQ(old_conn->take(), frames{in(frame_type::login, "Login OK")});
  auto [ann, ann_conn] = v2_user("ann");
  join(ann, "lobby", 1);
  EXPECT_EQ(ann_conn->take(), (frames{ok(1), joined("lobby", "ann")}));
  receive(old, in(frame_type::broadcast_msg, "from v1"));
  receive(ann, in(v2::encode(v2::msg_request{2, "lobby", "from v2"})));
  EXPECT_EQ(old_conn->take(), (frames{in(frame_type::broadcast_msg, "old: from v1"),
                                      in(frame_type::broadcast_msg, "ann: from v2")}));
  EXPECT_EQ(ann_conn->take(), (frames{out(v2::msg_delivery{"lobby", "old", "from v1"}),
                                      out(v2::msg_delivery{"lobby", "ann", "from v2"})}));
}

TEST_F(SessionTest, JoinAndMessagePipelinedAreAnsweredInOrder) {
  auto [s, conn] = v2_user("ann");
  caf::anon_send(s, chat::received_atom_v, in(v2::encode(v2::join_request{1, "c"})));
  caf::anon_send(s, chat::received_atom_v, in(v2::encode(v2::msg_request{2, "c", "hi"})));
  sched.run();
  EXPECT_EQ(conn->take(),
            (frames{ok(1), joined("c", "ann"), out(v2::msg_delivery{"c", "ann", "hi"})}));
}

TEST_F(SessionTest, ServerOnlyFramesFromAClientGetAnError) {
  auto [s, conn] = v2_user("ann");
  receive(s, in(v2::encode(v2::reply{1, v2::status::ok, ""})));
  receive(s, {40, "x"});
  EXPECT_EQ(conn->take(),
            (frames{error("REPLY is sent by the server only"), error("unknown frame type 40")}));
}

} // namespace

namespace {

// An extension handler that answers every frame with "<user> sent <payload>" on its own type.
chat::extension_handler::behavior_type echo_extension() {
  return {[](chat::extension_atom, uint8_t type, const std::string& user,
             const std::string& payload, const chat::client_link& to) {
    caf::anon_send(to, chat::send_atom_v, chat::encode(type, user + " sent " + payload));
  }};
}

TEST_F(SessionTest, ExtensionFramesGoToTheirHandlerWithTheSendersName) {
  auto table = std::make_shared<chat::extension_table>();
  (*table)[64] = sys.spawn(echo_extension);
  limits.extensions = table;
  auto [s, conn] = connect();
  receive(s, {64, "x"});
  EXPECT_EQ(conn->take(), frames{error("login first")});
  receive(s, in(frame_type::login, "ann"));
  conn->take();
  receive(s, {64, "dice"});
  EXPECT_EQ(conn->take(), (frames{{64, "ann sent dice"}}));
  receive(s, {65, "nobody handles 65"});
  EXPECT_EQ(conn->take(), frames{error("unknown frame type 65")});
  self->send_exit(table->at(64), caf::exit_reason::user_shutdown);
}

} // namespace
