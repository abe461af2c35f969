// session_fuzz.cpp -- libFuzzer target: two sessions with a real roster and real channels on
// recording connections,
// fed arbitrary frames and connection events, run on CAF's deterministic test_coordinator.
// Built only with CHAT_FUZZ=ON (clang). One actor_system serves every input.
//
// Input: records [op][type][len][len payload bytes]; the last record may be short.
//   op bit 0      the record goes to the peer session instead of the main one
//   op bits 1..2  what it is: 0 a received frame (type, payload), 1 violated_atom(payload),
//                 2 closed_atom(payload), 3 the frame received burst_size times (a flood that
//                 fits a small input: 17 bursts overflow max_held_frames)
//   op bits 3..4  then: 0 nothing, 1 sched.run(), 2 run one job, 3 advance the virtual clock
//                 past login_timeout (pending login requests time out; nothing else runs)
// After the last record everything runs, both sessions, the roster and the directory are
// killed, and the
// scheduler and clock are drained. Every broken invariant ends in __builtin_trap().
#include "actors/directory.hpp"
#include "actors/roster.hpp"
#include "actors/session.hpp"
#include "messages/errors.hpp"
#include "messages/frame_decoder.hpp"
#include "messages/protocol_v2.hpp"
#include "messages/type_ids.hpp"
#include "tests/support/recording_connection.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

namespace {

// A session answers one input with at most this many frames on all connections together
// (a broadcast reaches both members; LOGIN with bad UTF-8 is ERROR + LOGIN).
constexpr std::size_t max_frames_per_input = 3;
constexpr std::size_t sessions_per_input = 2;
constexpr std::size_t burst_size = 64;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// The deterministic actor system of tests/support/actor_fixture.hpp, built once: a fresh
// actor_system per input would cost more than the input itself.
struct world {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  caf::scoped_actor self;   // asks the roster and directory what they still hold
  std::size_t idle_running; // actors alive between inputs (self counts, hidden or not)

  static caf::actor_system_config& init(caf::actor_system_config& cfg) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.add_message_types<caf::id_block::chat>();
    cfg.add_error_category(chat::error_category, chat::render_error);
    return cfg;
  }
  world()
      : sys(init(cfg)), sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())),
        self(sys, true), idle_running(sys.registry().running()) {}
};

// Never destroyed: at exit ~actor_system would run after CAF's own statics are gone (it crashes
// there), and nothing of an input outlives tear_down() anyway.
world& the_world() {
  static world* w = new world;
  return *w;
}

struct endpoint {
  std::shared_ptr<chat::test::recording_connection> conn;
  chat::session_actor session;
  std::size_t received = 0; // frames sent to it as received_atom
  bool closed = false;      // closed_atom sent: it quits, frames after that are dropped
};

void send_one(endpoint& to, unsigned kind, uint8_t type, std::string payload) {
  switch (kind) {
  case 1:
    return caf::anon_send(to.session, chat::violated_atom_v, std::move(payload));
  case 2:
    to.closed = true;
    return caf::anon_send(to.session, chat::closed_atom_v, std::move(payload));
  default:
    ++to.received;
    return caf::anon_send(to.session, chat::received_atom_v,
                          chat::inbound_frame{type, std::move(payload)});
  }
}

// Returns how many inputs (received frames and events) the session was sent.
std::size_t send_record(endpoint& to, unsigned kind, uint8_t type, const std::string& payload) {
  if (kind != 3) {
    send_one(to, kind, type, payload);
    return 1;
  }
  for (std::size_t i = 0; i < burst_size; ++i)
    send_one(to, 0, type, payload);
  return burst_size;
}

void schedule(world& w, unsigned then) {
  switch (then) {
  case 1:
    w.sched.run();
    return;
  case 2:
    w.sched.try_run_once();
    return;
  case 3:
    w.sched.advance_time(chat::login_timeout + std::chrono::seconds{1});
    return;
  }
}

template <class T> bool ok(const chat::v2::decoded<T>& d) {
  return std::holds_alternative<T>(d);
}

// Whether a version-2 frame the server sent is one the server may send, well formed.
bool decodes_as_server_frame(uint8_t frame_type, std::string_view p) {
  using chat::v2::type;
  switch (static_cast<type>(frame_type)) {
  case type::hello:
    return ok(chat::v2::decode_hello_reply(p));
  case type::reply:
    return ok(chat::v2::decode_reply(p));
  case type::msg:
    return ok(chat::v2::decode_msg_delivery(p));
  case type::dm:
    return ok(chat::v2::decode_dm_delivery(p));
  case type::presence:
    return ok(chat::v2::decode_presence_event(p));
  case type::who_reply:
    return ok(chat::v2::decode_who_reply(p));
  case type::list_reply:
    return ok(chat::v2::decode_list_reply(p));
  case type::joined:
    return ok(chat::v2::decode_joined_reply(p));
  case type::history_reply:
    return ok(chat::v2::decode_history_reply(p));
  default:
    return false;
  }
}

// Every recorded frame is one well-formed frame of a known type; no version-2 frame before the
// server's HELLO (a version-1 client never sees one), and each version-2 frame decodes; no
// BROADCAST_MSG comes before "Login OK", and "Login OK" comes at most once. Returns how many frames
// were sent. With CHAT_FUZZ_TRACE set, each frame is printed as it is checked (to read a
// reproducer).
std::size_t check_sent(chat::test::recording_connection& conn, const char* who) {
  static const bool trace = std::getenv("CHAT_FUZZ_TRACE") != nullptr;
  bool logged_in = false;
  bool v2 = false;
  auto sent = conn.take_raw();
  for (auto& f : sent) {
    auto& b = chat::bytes(f);
    chat::frame_decoder decoder;
    std::size_t n = 0;
    auto err = decoder.feed(b.data(), b.size(), [&](uint8_t type, std::string_view payload) {
      ++n;
      if (trace)
        std::fprintf(stderr, "%s < %s \"%.*s\"\n", who, chat::frame_type_name(type).c_str(),
                     static_cast<int>(payload.size()), payload.data());
      if (type == static_cast<uint8_t>(chat::v2::type::hello)) v2 = true;
      check((type >= 1 && type <= 6) || (v2 && chat::v2::is_v2_type(type)));
      if (type > 6) check(decodes_as_server_frame(type, payload));
      if (type == static_cast<uint8_t>(chat::frame_type::login) && payload == "Login OK") {
        check(!logged_in);
        logged_in = true;
      }
      if (type == static_cast<uint8_t>(chat::frame_type::broadcast_msg)) check(logged_in);
    });
    check(err == chat::decode_error::none && n == 1 && !decoder.mid_frame());
  }
  return sent.size();
}

// Each received frame's transport credit comes back once (connection::frame_done); once all is
// run, every frame of a connection still open has been handled (none is left held: a frame
// held forever would stop the transport reading that client for good). A connection closed by
// either side reads nothing more, so what it still held may stay uncredited.
void check_credit(const endpoint& e) {
  auto done = e.conn->frames_done();
  check(e.closed || e.conn->closed() ? done <= e.received : done == e.received);
}

// Names still held plus channels still alive.
uint64_t members(world& w, const chat::roster_actor& roster, const chat::directory_actor& dir) {
  auto names = w.self->request(roster, caf::infinite, chat::count_atom_v);
  auto channels =
      w.self->request(dir, caf::infinite, chat::list_atom_v, std::string{}, uint16_t{0});
  w.sched.run();
  uint64_t n = 0;
  names.receive([&n](uint64_t x) { n += x; }, [](caf::error&) { check(false); });
  channels.receive([&n](uint32_t total, std::vector<std::string>&, std::vector<uint32_t>&,
                        std::string&) { n += total; },
                   [](caf::error&) { check(false); });
  return n;
}

// Kills this input's actors and drains the scheduler and the clock, so nothing of this input
// survives into the next one (a request timeout holds a strong reference to its actor).
// Returns how many names and channels were still there once both sessions were gone.
uint64_t tear_down(world& w, const std::array<endpoint, sessions_per_input>& ends,
                   const chat::roster_actor& roster, const chat::directory_actor& dir) {
  // A message past the allowance waits for a retry timer, and what came after it behind it:
  // let the virtual clock run until nothing waits any more.
  do {
    w.sched.run();
  } while (w.sched.trigger_timeouts() > 0 || w.sched.has_job());
  for (auto& e : ends)
    check_credit(e);
  for (auto& e : ends)
    caf::anon_send_exit(e.session, caf::exit_reason::user_shutdown);
  w.sched.run();
  auto left = members(w, roster, dir);
  caf::anon_send_exit(roster, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(dir, caf::exit_reason::user_shutdown);
  do {
    w.sched.run();
  } while (w.sched.trigger_timeouts() > 0 || w.sched.has_job());
  check(!w.sched.has_pending_timeout() && w.sys.registry().running() == w.idle_running);
  return left;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off); // a log line per login would drown libFuzzer's output
  the_world();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  auto& w = the_world();
  std::size_t inputs = 0, frames_out = 0;
  uint64_t members_left = 0;
  {
    auto roster = w.sys.spawn(chat::roster);
    // History in memory, new for every input: JOIN's long form, replays and HISTORY run too.
    chat::directory_options channels;
    channels.history = std::get<chat::store::history_store_ptr>(chat::store::history_store::open(
        std::string{chat::store::memory_only}, chat::store::retention{}));
    auto dir = w.sys.spawn(chat::directory, channels);
    std::array<endpoint, sessions_per_input> ends;
    for (auto& e : ends) {
      e.conn = std::make_shared<chat::test::recording_connection>();
      e.session = w.sys.spawn(chat::session, roster, dir, e.conn,
                              std::make_shared<const chat::session_limits>());
    }
    w.sched.run();
    std::size_t pos = 0;
    while (pos < size) {
      uint8_t op = data[pos++];
      uint8_t type = pos < size ? data[pos++] : 0;
      std::size_t len = pos < size ? data[pos++] : 0;
      len = std::min(len, size - pos);
      std::string payload{reinterpret_cast<const char*>(data + pos), len};
      pos += len;
      inputs += send_record(ends[op & 1], (op >> 1) & 3, type, payload);
      schedule(w, (op >> 3) & 3);
    }
    members_left = tear_down(w, ends, roster, dir);
    frames_out += check_sent(*ends[0].conn, "main");
    frames_out += check_sent(*ends[1].conn, "peer");
  }
  check(frames_out <= max_frames_per_input * inputs);
  check(members_left == 0); // names and channels are forgotten when their members go
  return 0;
}
