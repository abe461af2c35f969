#include "apps/client/client.hpp"

#include "messages/errors.hpp"
#include "transport/connector.hpp"
#include "transport/udp_client.hpp"

namespace chat {

namespace {

// "Login failed: name taken" rather than "chat: refused (\"Login failed: name taken\")".
std::string reason(const caf::error& e, caf::actor_system& sys) {
  if (e.category() == error_category && e.context().match_elements<std::string>())
    return e.context().get_as<std::string>(0);
  if (e == caf::sec::request_timeout) return "no answer in time";
  return sys.render(e);
}

// The supervisor knows no Asio: it dials through this, which runs transport's connector.
dialer dial_with(boost::asio::io_context& ioc, const client_options& o) {
  if (o.udp)
    return [&ioc, host = o.host, port = o.port, options = o.udp_options](auto done) {
      transport::async_connect_udp(
          ioc, host, port, options,
          [done](const std::string& error, std::shared_ptr<transport::udp_client_connection> c) {
            if (!c) return done(dialed{error, nullptr, {}});
            done(dialed{{}, c, [c](connection_owner owner) { c->start(owner); }});
          });
    };
  return [&ioc, host = o.host, port = o.port, limits = o.limits, tls = o.tls](auto done) {
    transport::async_connect(
        ioc, host, port, limits,
        [done](const boost::system::error_code& ec,
               std::shared_ptr<transport::tcp_connection> conn) {
          if (ec) return done(dialed{ec.message(), nullptr, {}});
          done(dialed{{}, conn, [conn](connection_owner owner) { conn->start(owner); }});
        },
        tls);
  };
}

client_supervisor_options supervisor_options(const client_options& o) {
  client_supervisor_options s;
  s.address = o.host + ":" + std::to_string(o.port);
  s.timeout = o.timeout;
  s.reconnect = o.reconnect;
  s.reconnect_first = o.reconnect_first;
  s.reconnect_max = o.reconnect_max;
  s.version = o.version;
  s.recovery_fallback = o.recovery_fallback;
  s.token = o.token;
  return s;
}

client_done completion(client_done_callback done) {
  return {[done = std::move(done)](bool ok, const std::string& text) {
    if (done) done(client_result{ok, text});
  }};
}

} // namespace

client::client(caf::actor_system& sys, boost::asio::io_context& ioc, client_options options,
               client_callbacks callbacks)
    : sys_(sys), options_(options),
      supervisor_(sys.spawn(client_supervisor, dial_with(ioc, options_),
                            supervisor_options(options_), std::move(callbacks))) {}

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

client_result client::join(const std::string& channel) {
  return call<std::string>(join_atom_v, channel);
}

client_result client::leave(const std::string& channel) {
  return call<std::string>(leave_atom_v, channel);
}

client_result client::say(const std::string& channel, const std::string& text) {
  return call<std::string>(post_atom_v, channel, text);
}

client_result client::direct(const std::string& user, const std::string& text) {
  return call<std::string>(direct_atom_v, user, text);
}

who_result client::who(const std::string& channel) {
  return who_pages(channel, {}, 0, true);
}

who_result client::who(const std::string& channel, const std::string& after, uint16_t limit) {
  return who_pages(channel, after, limit, false);
}

list_result client::list() {
  return list_pages({}, 0, true);
}

list_result client::list(const std::string& after, uint16_t limit) {
  return list_pages(after, limit, false);
}

who_result client::who_pages(const std::string& channel, const std::string& after, uint16_t limit,
                             bool all) {
  std::lock_guard<std::mutex> guard{calls_};
  who_result result;
  caf::scoped_actor self{sys_};
  self->request(supervisor_, options_.timeout, who_atom_v, channel, after, limit, all)
      .receive(
          [&](uint32_t total, std::vector<std::string>& names, std::string& next) {
            result = {true, {}, total, std::move(names), std::move(next)};
          },
          [&](const caf::error& e) { result.text = reason(e, sys_); });
  return result;
}

list_result client::list_pages(const std::string& after, uint16_t limit, bool all) {
  std::lock_guard<std::mutex> guard{calls_};
  list_result result;
  caf::scoped_actor self{sys_};
  self->request(supervisor_, options_.timeout, list_atom_v, after, limit, all)
      .receive(
          [&](uint32_t total, std::vector<std::string>& names, std::vector<uint32_t>& counts,
              std::string& next) {
            result.ok = true;
            result.total = total;
            for (std::size_t i = 0; i < names.size() && i < counts.size(); ++i)
              result.channels.push_back({std::move(names[i]), counts[i]});
            result.next = std::move(next);
          },
          [&](const caf::error& e) { result.text = reason(e, sys_); });
  return result;
}

history_result client::history(const std::string& channel, uint64_t before, uint16_t limit) {
  std::lock_guard<std::mutex> guard{calls_};
  history_result result;
  caf::scoped_actor self{sys_};
  self->request(supervisor_, options_.timeout, history_atom_v, channel, before, limit)
      .receive(
          [&](history_page& page) {
            result.ok = true;
            result.page = std::move(page);
          },
          [&](const caf::error& e) { result.text = reason(e, sys_); });
  return result;
}

void client::send(frame_type type, const std::string& payload) {
  caf::anon_send(supervisor_, send_atom_v, static_cast<uint8_t>(type), payload);
}

void client::join(const std::string& channel, client_done_callback done) {
  caf::anon_send(supervisor_, join_atom_v, channel, completion(std::move(done)));
}

void client::leave(const std::string& channel, client_done_callback done) {
  caf::anon_send(supervisor_, leave_atom_v, channel, completion(std::move(done)));
}

void client::say(const std::string& channel, const std::string& text, client_done_callback done) {
  caf::anon_send(supervisor_, post_atom_v, channel, text, completion(std::move(done)));
}

void client::direct(const std::string& user, const std::string& text, client_done_callback done) {
  caf::anon_send(supervisor_, direct_atom_v, user, text, completion(std::move(done)));
}

void client::close() {
  caf::anon_send(supervisor_, quit_atom_v);
}

} // namespace chat
