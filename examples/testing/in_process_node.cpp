#include "examples/testing/in_process_node.hpp"

#include "actors/client_session.hpp"
#include "messages/errors.hpp"
#include "messages/type_ids.hpp"
#include "transport/connector.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

namespace chat::examples {

namespace {

using namespace std::chrono_literals;

caf::actor_system_config& configure(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::chat>();
  cfg.add_error_category(error_category, render_error);
  spdlog::set_level(spdlog::level::warn);
  return cfg;
}

client_observer::behavior_type record_frames(client_observer::pointer self,
                                             std::shared_ptr<inbox> box) {
  return {
      [box](received_atom, const inbound_frame& f) {
        box->push(frame_type_name(f.type) + ' ' + f.payload);
      },
      [self, box](closed_atom, const std::string& reason) {
        box->push("CLOSED " + reason, true);
        self->quit();
      },
  };
}

// Polls the directory until `done` holds for what it answers, within the reply timeout. The
// directory has no way to tell us of a change, so asking again is the only way to wait.
template <class Done> bool poll_directory(caf::actor_system& sys, Done done) {
  caf::scoped_actor self{sys};
  auto deadline = std::chrono::steady_clock::now() + reply_timeout;
  do {
    if (done(self)) return true;
    std::this_thread::sleep_for(5ms);
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

} // namespace

void inbox::push(std::string line, bool closed) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    all_.push_back(line);
    unread_.push_back(std::move(line));
    closed_ = closed_ || closed;
  }
  changed_.notify_all();
}

std::string inbox::next() {
  std::unique_lock<std::mutex> guard{mutex_};
  if (!changed_.wait_for(guard, reply_timeout, [this] { return !unread_.empty(); }))
    return "(nothing within the reply timeout)";
  auto line = std::move(unread_.front());
  unread_.pop_front();
  return line;
}

bool inbox::wait(const std::string& line, std::size_t n) {
  std::unique_lock<std::mutex> guard{mutex_};
  return changed_.wait_for(guard, reply_timeout, [&] {
    return static_cast<std::size_t>(std::count(all_.begin(), all_.end(), line)) >= n;
  });
}

bool inbox::saw(const std::string& line) {
  std::lock_guard<std::mutex> guard{mutex_};
  return std::find(all_.begin(), all_.end(), line) != all_.end();
}

bool inbox::wait_closed() {
  std::unique_lock<std::mutex> guard{mutex_};
  return changed_.wait_for(guard, reply_timeout, [this] { return closed_; });
}

v2_user::v2_user(in_process_node& node, const std::string& name) {
  client_options options;
  options.port = node.port();
  options.timeout = reply_timeout;
  client_callbacks cb;
  // The callbacks hold the inbox, not `this`: they may run until ~client has returned.
  cb.on_message = [box = box_](const std::string& channel, const std::string& from,
                               const std::string& text) {
    box->push('#' + channel + ' ' + from + ": " + text);
  };
  cb.on_presence = [box = box_](const std::string& channel, const std::string& user,
                                v2::presence_kind k) {
    const char* what = k == v2::presence_kind::joined ? "joined"
                       : k == v2::presence_kind::left ? "left"
                                                      : "dropped";
    box->push(user + ' ' + what + " #" + channel);
  };
  client_ = std::make_unique<client>(node.system(), node.io(), options, cb);
  auto connected = client_->connect();
  EXPECT_TRUE(connected) << name << ": " << connected.text;
  auto login = client_->login(name);
  EXPECT_EQ(login.text, "Login OK") << name;
}

in_process_node::in_process_node(server_options options) : io_{1}, sys_{configure(cfg_)} {
  server_.emplace(sys_, io_.context(), options);
}

in_process_node::~in_process_node() {
  server_->stop();
  server_->wait_closed(reply_timeout);
  server_.reset(); // the roster exits, and with it every bot that monitors it
  for (auto& c : clients_)
    if (!c.box->wait_closed())
      caf::anon_send_exit(c.session, caf::exit_reason::user_shutdown); // closes its socket
  io_.drain_and_join();
  for (auto& a : adopted_)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  for (auto& c : clients_) {
    caf::anon_send_exit(c.session, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(c.observer, caf::exit_reason::user_shutdown);
  }
}

raw_client* in_process_node::connect() {
  boost::system::error_code ec;
  auto conn = transport::connect(io_.context(), "127.0.0.1", port(), {}, reply_timeout, ec);
  if (!conn) {
    ADD_FAILURE() << "cannot connect: " << ec.message();
    return nullptr;
  }
  auto& c = clients_.emplace_back();
  c.observer = sys_.spawn(record_frames, c.box);
  c.session = sys_.spawn(client_session, conn, c.observer);
  conn->start(c.session);
  return &c;
}

raw_client* in_process_node::logged_in(const std::string& name) {
  auto* c = connect();
  if (c == nullptr) return nullptr;
  c->login(name);
  auto reply = c->next();
  if (reply != "LOGIN Login OK") {
    ADD_FAILURE() << name << ": " << reply;
    return nullptr;
  }
  return c;
}

bool in_process_node::members_reach(const std::string& channel, uint64_t n) {
  return poll_directory(sys_, [&](caf::scoped_actor& self) {
    uint64_t members = 0;
    self->request(server_->directory(), reply_timeout, count_atom_v, channel)
        .receive([&members](uint64_t x) { members = x; }, [](caf::error&) {});
    return members == n;
  });
}

bool in_process_node::channel_retires(const std::string& channel) {
  return poll_directory(sys_, [&](caf::scoped_actor& self) {
    bool listed = true;
    self->request(server_->directory(), reply_timeout, list_atom_v, std::string{}, uint16_t{0})
        .receive(
            [&](uint32_t, const std::vector<std::string>& names, const std::vector<uint32_t>&,
                const std::string&) {
              listed = std::find(names.begin(), names.end(), channel) != names.end();
            },
            [](caf::error&) {});
    return !listed;
  });
}

} // namespace chat::examples
