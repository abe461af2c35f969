#include "apps/scenario/scenario_runner.hpp"

#include "actors/client_session.hpp"
#include "apps/scenario/scenario_client.hpp"
#include "messages/protocol_v2.hpp"
#include "transport/connector.hpp"

#include <deque>

namespace chat {

namespace {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::string_view end_marker = "scenario end";

// A received frame as a scenario would write it: version 2 by field when it decodes, else the
// payload quoted (escaped for version-2 types, whose payloads are binary).
std::string show(const inbound_frame& f) {
  if (!v2::is_v2_type(f.type)) return frame_type_name(f.type) + " \"" + f.payload + "\"";
  v2_fields fields;
  std::string why;
  if (decode_v2(f.type, f.payload, fields, why))
    return frame_type_name(f.type) + " " + to_string(fields);
  return frame_type_name(f.type) + " " + quote_v2(f.payload) + " (" + why + ")";
}

// Whose frame this is for per-sender order: a broadcast's sender, a MSG's channel and sender,
// a DM's sender, else the frame type.
std::string sender_of(uint8_t type, const std::string& payload) {
  if (type == static_cast<uint8_t>(frame_type::broadcast_msg))
    return payload.substr(0, payload.find(": "));
  if (auto key = v2_sender_key(type, payload)) return *key;
  return frame_type_name(type);
}

// A << MSG written with offset=* (offset 0 in its payload) matches the same MSG at any offset:
// which offset a message gets depends on how the senders interleave.
bool matches(const inbound_frame& want, const inbound_frame& got) {
  if (want == got) return true;
  constexpr std::size_t offset_size = 8; // a u64, MSG's last field
  auto& w = want.payload;
  auto& g = got.payload;
  if (want.type != got.type || want.type != static_cast<uint8_t>(v2::type::msg) ||
      w.size() != g.size() || w.size() < offset_size)
    return false;
  auto n = w.size() - offset_size;
  return w.compare(n, offset_size, std::string(offset_size, '\0')) == 0 &&
         w.compare(0, n, g, 0, n) == 0;
}

} // namespace

struct scenario_runner::client {
  std::string name;
  client_session_actor session;
  client_observer observer;
  std::shared_ptr<scenario_inbox> inbox = std::make_shared<scenario_inbox>();
  bool closed = false;
  // Pending << steps: per sender, the frames still owed, in order.
  std::map<std::string, std::deque<inbound_frame>> by_sender;
  std::size_t by_sender_count = 0;
  std::vector<inbound_frame> settled; // what the last << steps took, in arrival order
};

scenario_runner::scenario_runner(caf::actor_system& sys, boost::asio::io_context& ioc,
                                 std::string host, uint16_t port,
                                 std::chrono::milliseconds step_timeout,
                                 transport::tls_context_ptr tls)
    : sys_(sys), ioc_(ioc), host_(std::move(host)), port_(port), tls_(std::move(tls)),
      step_timeout_(step_timeout) {}

scenario_runner::~scenario_runner() {
  for (auto& [name, c] : clients_)
    if (!c->closed) caf::anon_send(c->session, quit_atom_v);
  for (auto& [name, c] : clients_)
    end(*c);
}

void scenario_runner::end(client& c) {
  if (!c.closed) caf::anon_send(c.session, quit_atom_v);
  auto deadline = clock::now() + step_timeout_;
  while (!c.closed) {
    auto e = c.inbox->pop(deadline);
    if (!e) break;
    c.closed = e->closed;
  }
  caf::anon_send_exit(c.session, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(c.observer, caf::exit_reason::user_shutdown);
}

void scenario_runner::track(const std::string& name, const inbound_frame& f) {
  if (f.type == static_cast<uint8_t>(v2::type::joined)) {
    auto j = v2::decode_joined_reply(f.payload);
    if (auto* joined = std::get_if<v2::joined_reply>(&j))
      marks_[name][joined->channel] = {joined->position.epoch,
                                       joined->position.last - joined->position.replayed};
  } else if (f.type == static_cast<uint8_t>(v2::type::msg)) {
    auto m = v2::decode_msg_delivery(f.payload);
    if (auto* msg = std::get_if<v2::msg_delivery>(&m); msg && msg->offset != 0)
      marks_[name][msg->channel].offset = msg->offset;
  }
}

std::string scenario_runner::run(const scenario& s) {
  for (auto& step : s.steps)
    if (auto failure = perform(step); !failure.empty())
      return "line " + std::to_string(step.line) + ": " + describe(step) + ": " + failure;
  for (auto& [name, c] : clients_)
    if (auto failure = finish(*c); !failure.empty()) return "at the end, " + name + ": " + failure;
  return {};
}

scenario_runner::client& scenario_runner::connect(const std::string& name) {
  auto& slot = clients_[name];
  if (slot && !slot->closed) return *slot;
  if (slot) end(*slot); // closed: this step reconnects it
  slot = std::make_unique<client>();
  slot->name = name;
  boost::system::error_code ec;
  auto conn = transport::connect(ioc_, host_, port_, {}, step_timeout_, ec, tls_);
  slot->observer = sys_.spawn(scenario_observer, slot->inbox);
  if (!conn) {
    // Every later step of this client reports the failure; sends to the empty handle are dropped.
    scenario_event failed; // named fields: GCC 12 -O3 misreads a braced {true, {}, ..} here
    failed.closed = true;
    failed.reason = "cannot connect: " + ec.message();
    slot->inbox->push(std::move(failed));
    return *slot;
  }
  slot->session = sys_.spawn(client_session, conn, slot->observer);
  conn->start(slot->session);
  return *slot;
}

std::string scenario_runner::perform(const scenario_step& step) {
  auto& c = connect(step.client);
  using act = scenario_step::action;
  switch (step.what) {
  case act::send:
    if (step.uses_marks) return send_with_marks(c, step);
    caf::anon_send(c.session, send_atom_v, step.type, step.payload);
    return {};
  case act::send_raw:
    caf::anon_send(c.session, raw_atom_v, step.payload);
    return {};
  case act::close:
    caf::anon_send(c.session, quit_atom_v);
    return {};
  case act::expect:
    if (auto failure = settle_by_sender(c); !failure.empty()) return failure;
    return expect_frame(c, step);
  case act::expect_by_sender:
    if (c.by_sender_count == 0) c.settled.clear(); // the first << step of a new group
    c.by_sender[sender_of(step.type, step.payload)].push_back({step.type, step.payload});
    ++c.by_sender_count;
    return {};
  case act::expect_same_order:
    return expect_same_order(c, step.payload);
  case act::expect_closed:
    if (auto failure = settle_by_sender(c); !failure.empty()) return failure;
    return expect_closed(c);
  }
  return "unknown step";
}

// A JOIN with epoch=@ offset=@: this client's marks for the channel, written out now.
std::string scenario_runner::send_with_marks(client& c, const scenario_step& step) {
  auto placeholder = v2::decode_join_request(step.payload);
  auto* join = std::get_if<v2::join_request>(&placeholder);
  if (!join) return "cannot read the JOIN back";
  auto m = marks_[c.name][join->channel];
  std::string payload, error;
  if (!parse_v2_send(step.type, with_marks(step.written, m.epoch, m.offset), payload, error))
    return error;
  caf::anon_send(c.session, send_atom_v, step.type, payload);
  return {};
}

std::string scenario_runner::expect_frame(client& c, const scenario_step& step) {
  auto e = c.inbox->pop(clock::now() + step_timeout_);
  if (!e) return "nothing arrived within " + std::to_string(step_timeout_.count()) + " ms";
  if (e->closed) {
    c.closed = true;
    return "the connection closed instead (" + e->reason + ")";
  }
  track(c.name, e->frame);
  if (step.by_field) return compare_fields(step, e->frame);
  if (e->frame.type != step.type || e->frame.payload != step.payload)
    return "got " + show(e->frame);
  return {};
}

std::string scenario_runner::compare_fields(const scenario_step& step, const inbound_frame& f) {
  if (f.type != step.type) return "got " + show(f);
  v2_fields got;
  std::string why;
  if (!decode_v2(f.type, f.payload, got, why)) return "got " + show(f);
  auto diff = diff_v2(step.fields, got);
  return diff.empty() ? std::string{} : "got " + show(f) + " -- " + diff;
}

std::string scenario_runner::expect_same_order(client& c, const std::string& other) {
  auto i = clients_.find(other);
  if (i == clients_.end() || i->second.get() == &c) return "no other client named " + other;
  if (auto failure = settle_by_sender(c); !failure.empty()) return failure;
  if (auto failure = settle_by_sender(*i->second); !failure.empty()) return other + ": " + failure;
  auto& mine = c.settled;
  auto& theirs = i->second->settled;
  if (mine.empty()) return "no << steps before it";
  for (std::size_t k = 0; k < mine.size() && k < theirs.size(); ++k)
    if (!(mine[k] == theirs[k]))
      return "frame " + std::to_string(k + 1) + " was " + show(mine[k]) + ", but " + other +
             "'s was " + show(theirs[k]);
  if (mine.size() != theirs.size())
    return "took " + std::to_string(mine.size()) + " frames by <<, " + other + " " +
           std::to_string(theirs.size());
  return {};
}

std::string scenario_runner::expect_closed(client& c) {
  auto e = c.inbox->pop(clock::now() + step_timeout_);
  if (!e) return "still open after " + std::to_string(step_timeout_.count()) + " ms";
  if (!e->closed) return "got " + show(e->frame) + " first";
  c.closed = true;
  return {};
}

std::string scenario_runner::settle_by_sender(client& c) {
  while (c.by_sender_count > 0) {
    auto e = c.inbox->pop(clock::now() + step_timeout_);
    if (!e)
      return std::to_string(c.by_sender_count) + " frames still owed after " +
             std::to_string(step_timeout_.count()) + " ms";
    if (e->closed) {
      c.closed = true;
      return "closed (" + e->reason + ") with " + std::to_string(c.by_sender_count) +
             " frames still owed";
    }
    auto& owed = c.by_sender[sender_of(e->frame.type, e->frame.payload)];
    if (owed.empty()) return "got " + show(e->frame) + ", which no << step expects (now)";
    if (!matches(owed.front(), e->frame))
      return "got " + show(e->frame) + " before " + show(owed.front());
    owed.pop_front();
    --c.by_sender_count;
    track(c.name, e->frame);
    c.settled.push_back(std::move(e->frame));
  }
  c.by_sender.clear();
  return {};
}

std::string scenario_runner::finish(client& c) {
  if (auto failure = settle_by_sender(c); !failure.empty() || c.closed) return failure;
  // The server answers frames in order, so our PONG comes after every reply still owed.
  caf::anon_send(c.session, send_atom_v, static_cast<uint8_t>(frame_type::ping),
                 std::string{end_marker});
  auto e = c.inbox->pop(clock::now() + step_timeout_);
  if (!e) return "no PONG to the final PING";
  if (e->closed) {
    c.closed = true;
    return "closed (" + e->reason + ") where nothing more was expected";
  }
  if (e->frame.type != static_cast<uint8_t>(frame_type::pong) || e->frame.payload != end_marker)
    return "unexpected " + show(e->frame);
  return {};
}

} // namespace chat
