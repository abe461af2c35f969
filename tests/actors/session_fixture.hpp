// session_fixture.hpp -- sessions on recording connections with a real roster and directory,
// on CAF's deterministic scheduler; shared by the version-1 and version-2 session tests.
#pragma once

#include "actors/directory.hpp"
#include "actors/roster.hpp"
#include "actors/session.hpp"
#include "messages/protocol_v2.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/recording_connection.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace chat::test {

// A roster that takes login requests and never answers them.
inline roster_actor::behavior_type silent_roster(roster_actor::pointer self) {
  return {
      [self](join_atom, const std::string&, const member_actor&) {
        return self->make_response_promise<caf::ok_atom>();
      },
      [](leave_atom, const std::string&) {},
      [self](direct_atom, const std::string&, const std::string&, const std::string&) {
        return self->make_response_promise<caf::ok_atom>();
      },
      [self](here_atom, direct_atom, const std::string&, const std::string&, const std::string&) {
        return self->make_response_promise<caf::ok_atom>();
      },
      [](count_atom) { return uint64_t{0}; },
      [](cluster_atom, const node_actor&) {},
      [](evict_atom, const std::string&) {},
  };
}

// The frame a client would send, as its session receives it.
inline inbound_frame in(const frame& f) {
  const auto& b = bytes(f);
  return {static_cast<uint8_t>(b[header_size - 1]), std::string(b.begin() + header_size, b.end())};
}

class SessionTest : public actor_fixture {
protected:
  SessionTest()
      : roster(sys.spawn(chat::roster)), directory(sys.spawn(chat::directory, channel_limits)) {
    sched.run();
  }
  ~SessionTest() override {
    for (auto& s : sessions)
      self->send_exit(s, caf::exit_reason::user_shutdown);
    self->send_exit(roster, caf::exit_reason::user_shutdown);
    self->send_exit(directory, caf::exit_reason::user_shutdown);
  }

  // A new session on a new recording connection.
  std::pair<session_actor, std::shared_ptr<recording_connection>> connect(roster_actor r = {}) {
    auto conn = std::make_shared<recording_connection>();
    auto s = sys.spawn(chat::session, r ? r : roster, directory, conn,
                       std::make_shared<const session_limits>(limits));
    sessions.push_back(s);
    sched.run();
    return {s, conn};
  }

  void receive(const session_actor& s, inbound_frame f) {
    caf::anon_send(s, received_atom_v, std::move(f));
    sched.run();
  }

  // Names held right now.
  uint64_t members() {
    auto reply = self->request(roster, caf::infinite, count_atom_v);
    sched.run();
    uint64_t n = 0;
    reply.receive([&](uint64_t x) { n = x; }, [](caf::error&) {});
    return n;
  }

  // Members of a channel right now, as the directory knows them (0: no such channel).
  uint64_t members_of(const std::string& channel) {
    auto reply = self->request(directory, caf::infinite, count_atom_v, channel);
    sched.run();
    uint64_t n = 0;
    reply.receive([&](uint64_t x) { n = x; }, [](caf::error&) {});
    return n;
  }

  // A session that said HELLO and logged in as `name`; its frames so far are taken.
  std::pair<session_actor, std::shared_ptr<recording_connection>> v2_user(const std::string& name) {
    auto [s, conn] = connect();
    receive(s, in(v2::encode(v2::hello_request{v2::version})));
    receive(s, in(frame_type::login, name));
    conn->take();
    return {s, conn};
  }

  void join(const session_actor& s, const std::string& channel, uint32_t ref = 1) {
    receive(s, in(v2::encode(v2::join_request{ref, channel})));
  }

  directory_options channel_limits;
  roster_actor roster;
  directory_actor directory;
  std::vector<session_actor> sessions;
  session_limits limits; // what connect() gives new sessions
};

} // namespace chat::test
