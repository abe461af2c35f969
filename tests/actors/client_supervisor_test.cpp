// client_supervisor_test.cpp -- the client supervisor on CAF's deterministic scheduler with a
// dialer the test drives by hand, for message orders that real sockets produce only now and
// then: here, the server's first answers reaching the supervisor before its connected notice.
#include "actors/client_supervisor.hpp"
#include "messages/frame_encoder.hpp"
#include "messages/protocol_v2.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/recording_connection.hpp"

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace chat::test {
namespace {

inbound_frame as_inbound(const frame& f) {
  const auto& b = bytes(f);
  return {static_cast<uint8_t>(b[header_size - 1]), std::string(b.begin() + header_size, b.end())};
}

class ClientSupervisorTest : public actor_fixture {
protected:
  ClientSupervisorTest() {
    dialer dial = [this](std::function<void(dialed)> done) { pending_dial = std::move(done); };
    client_supervisor_options options;
    options.reconnect = true;
    options.reconnect_first = std::chrono::milliseconds(50);
    supervisor = sys.spawn(client_supervisor, dial, options, client_callbacks{});
    sched.run();
  }
  ~ClientSupervisorTest() override { self->send_exit(supervisor, caf::exit_reason::kill); }

  // Asks for `what` and lets every actor run; the answer is read with reply.receive.
  template <class... Ts> auto ask(Ts&&... xs) {
    auto reply = self->request(supervisor, caf::infinite, std::forward<Ts>(xs)...);
    sched.run();
    return reply;
  }

  // The server's frame, as the session receives it from the wire.
  void from_server(const frame& f) {
    caf::anon_send(session, received_atom_v, as_inbound(f));
    sched.run();
  }

  // Completes the dial the supervisor asked for, on a new connection. With `hello_first`, the
  // server's HELLO answer reaches the supervisor before the dialer's connected notice does.
  void dial_succeeds(bool hello_first) {
    ASSERT_TRUE(pending_dial) << "the supervisor dials";
    conn = std::make_shared<recording_connection>();
    auto done = std::exchange(pending_dial, nullptr);
    done(dialed{{}, conn, [this, hello_first](connection_owner owner) {
                  session = owner;
                  if (hello_first) from_server(hello());
                }});
    sched.run();
    if (!hello_first) from_server(hello());
  }

  static frame hello() {
    v2::hello_reply h;
    h.version = v2::version;
    return v2::encode(h);
  }

  // The one version-2 request the client sent since the last look; its ref.
  uint32_t sent_join(const std::string& channel) {
    auto sent = conn->take();
    sent.erase(std::remove_if(sent.begin(), sent.end(),
                              [](const inbound_frame& f) { return !v2::is_v2_type(f.type); }),
               sent.end());
    EXPECT_EQ(sent.size(), 1u);
    if (sent.size() != 1) return 0;
    auto request = v2::decode_join_request(sent[0].payload);
    auto* join = std::get_if<v2::join_request>(&request);
    EXPECT_TRUE(join && join->channel == channel) << "not a JOIN of " << channel;
    return join ? join->ref : 0;
  }

  void login() {
    auto reply = ask(login_atom_v, std::string{"ann"});
    from_server(encode(frame_type::login, "Login OK"));
    reply.receive([](const std::string& text) { EXPECT_EQ(text, "Login OK"); },
                  [](caf::error& e) { FAIL() << to_string(e); });
  }

  client_supervisor_actor supervisor;
  std::function<void(dialed)> pending_dial;
  std::shared_ptr<recording_connection> conn;
  connection_owner session;
};

TEST_F(ClientSupervisorTest, AHelloAnswerThatOvertakesTheConnectedNoticeStillCounts) {
  auto connected = ask(connect_atom_v);
  dial_succeeds(false);
  connected.receive([](caf::ok_atom) {}, [](caf::error& e) { FAIL() << to_string(e); });
  login();
  conn->take(); // HELLO, LOGIN
  auto join = ask(join_atom_v, std::string{"rust"});
  from_server(v2::encode(v2::reply{sent_join("rust"), v2::status::ok, ""}));
  join.receive([](const std::string& text) { EXPECT_EQ(text, ""); },
               [](caf::error& e) { FAIL() << to_string(e); });
  // The connection drops; the reconnect's HELLO answer comes in before its connected notice.
  caf::anon_send(session, closed_atom_v, std::string{"peer closed"});
  sched.run();
  sched.advance_time(std::chrono::milliseconds(50));
  sched.run();
  dial_succeeds(true);
  ASSERT_EQ(conn->take().size(), 2u) << "HELLO, then LOGIN again";
  from_server(encode(frame_type::login, "Login OK"));
  sent_join("rust"); // the channel is joined again: the supervisor knows the server speaks v2
}

} // namespace
} // namespace chat::test
