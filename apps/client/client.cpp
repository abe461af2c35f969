#include "apps/client/client.hpp"

#include "messages/errors.hpp"

namespace chat {

namespace {

// "Login failed: name taken" rather than "chat: refused (\"Login failed: name taken\")".
std::string reason(const caf::error& e, caf::actor_system& sys) {
  if (e.category() == error_category && e.context().match_elements<std::string>())
    return e.context().get_as<std::string>(0);
  if (e == caf::sec::request_timeout) return "no answer in time";
  return sys.render(e);
}

} // namespace

client::client(caf::actor_system& sys, boost::asio::io_context& ioc, client_options options,
               client_callbacks callbacks)
    : sys_(sys), options_(options),
      supervisor_(sys.spawn(client_supervisor, &ioc, std::move(options), std::move(callbacks))) {}

// No callback may run once the client is gone (they refer to the caller's objects), so wait
// until the supervisor has ended: it ends once its connection is closed, or it is killed.
client::~client() {
  caf::scoped_actor self{sys_};
  self->monitor(supervisor_);
  close();
  bool ended = false;
  auto on_down = [&](const caf::down_msg&) { ended = true; };
  self->receive(
      on_down, caf::after(options_.timeout + std::chrono::seconds(1)) >> [] {});
  if (!ended) {
    self->send_exit(supervisor_, caf::exit_reason::kill);
    self->receive(
        on_down, caf::after(std::chrono::seconds(5)) >> [] {});
  }
}

template <class Result, class Atom, class... Ts>
client_result client::call(Atom what, const Ts&... xs) {
  std::lock_guard<std::mutex> guard{calls_};
  client_result result;
  caf::scoped_actor self{sys_};
  self->request(supervisor_, options_.timeout, what, xs...)
      .receive(
          [&](const Result& answer) {
            result.ok = true;
            if constexpr (std::is_same_v<Result, std::string>) result.text = answer;
          },
          [&](const caf::error& e) { result.text = reason(e, sys_); });
  return result;
}

client_result client::connect() {
  return call<caf::ok_atom>(connect_atom_v);
}

client_result client::login(const std::string& name) {
  return call<std::string>(login_atom_v, name);
}

client_result client::echo(const std::string& text) {
  return call<std::string>(echo_atom_v, text);
}

client_result client::broadcast(const std::string& text) {
  return call<std::string>(broadcast_atom_v, text);
}

client_result client::ping(std::chrono::microseconds* round_trip) {
  auto start = std::chrono::steady_clock::now();
  auto result = call<std::string>(ping_atom_v, "client ping " + std::to_string(++pings_));
  if (result && round_trip)
    *round_trip = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
  return result;
}

void client::send(frame_type type, const std::string& payload) {
  caf::anon_send(supervisor_, send_atom_v, static_cast<uint8_t>(type), payload);
}

void client::close() {
  caf::anon_send(supervisor_, quit_atom_v);
}

} // namespace chat
