// time_bot_test.cpp -- the time bot in a real in-process node, asked by real TCP clients.
// One node per test: actor_system, one I/O thread, chat::server on 127.0.0.1 port 0, the bot.
#include "examples/time_bot/time_bot.hpp"

#include "actors/client_session.hpp"
#include "apps/chat-server/server.hpp"
#include "messages/errors.hpp"
#include "messages/type_ids.hpp"
#include "transport/connector.hpp"
#include "transport/io_loop.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <ctime>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace caf { // otherwise GTest prints caf::error as "8-byte object <...>"
inline void PrintTo(const error& x, std::ostream* os) {
  *os << to_string(x);
}
} // namespace caf

namespace {

using namespace std::chrono_literals;

constexpr auto reply_timeout = 2s; // bounds every wait for the server, the bot or a client

std::chrono::system_clock::time_point fixed_time() {
  std::tm t{};
  t.tm_year = 2026 - 1900;
  t.tm_mon = 0;
  t.tm_mday = 2;
  t.tm_hour = 3;
  t.tm_min = 4;
  t.tm_sec = 5;
  return std::chrono::system_clock::from_time_t(timegm(&t));
}

constexpr const char* bot_answer = "BROADCAST_MSG timebot: the time is 2026-01-02T03:04:05Z";

// What one client received, as "<TYPE> <payload>" lines; filled by its observer actor.
class inbox {
public:
  void push(std::string line, bool closed = false) {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      lines_.push_back(std::move(line));
      closed_ = closed_ || closed;
    }
    changed_.notify_all();
  }

  std::string next() {
    std::unique_lock<std::mutex> guard{mutex_};
    if (!changed_.wait_for(guard, reply_timeout, [this] { return !lines_.empty(); }))
      return "(nothing within the reply timeout)";
    auto line = std::move(lines_.front());
    lines_.pop_front();
    return line;
  }

  bool wait_closed() {
    std::unique_lock<std::mutex> guard{mutex_};
    return changed_.wait_for(guard, reply_timeout, [this] { return closed_; });
  }

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> lines_;
  bool closed_ = false;
};

chat::client_observer::behavior_type observer(chat::client_observer::pointer self,
                                              std::shared_ptr<inbox> box) {
  return {
      [box](chat::received_atom, const chat::inbound_frame& f) {
        box->push(chat::frame_type_name(f.type) + ' ' + f.payload);
      },
      [self, box](chat::closed_atom, const std::string& reason) {
        box->push("CLOSED " + reason, true);
        self->quit();
      },
  };
}

struct test_client {
  std::shared_ptr<inbox> box = std::make_shared<inbox>();
  chat::client_observer observer;
  chat::client_session_actor session;

  void login(const std::string& name) { caf::anon_send(session, chat::login_atom_v, name); }
  void broadcast(const std::string& text) { caf::anon_send(session, chat::broadcast_atom_v, text); }
  std::string next() { return box->next(); }
};

class TimeBotTest : public ::testing::Test {
protected:
  TimeBotTest() : io_{1}, sys_{configure(cfg_)} {
    node_.emplace(sys_, io_.context(), chat::server_options{});
    bot_ = sys_.spawn(chat::time_bot, node_->roster(), node_->directory(),
                      chat::wall_clock{fixed_time});
    node_->start();
  }

  void SetUp() override { ASSERT_TRUE(lobby_has(1)) << "the bot did not join the lobby"; }

  // Cookbook 12.1: sockets closed and the I/O loop drained before any actor is killed, and every
  // actor gone before ~actor_system, which otherwise waits for ever.
  ~TimeBotTest() override {
    node_->stop();
    node_->wait_closed(std::chrono::milliseconds{reply_timeout});
    node_.reset();
    for (auto& c : clients_)
      if (!c.box->wait_closed())
        caf::anon_send_exit(c.session, caf::exit_reason::user_shutdown); // closes its socket
    io_.drain_and_join();
    caf::anon_send_exit(bot_, caf::exit_reason::user_shutdown);
    for (auto& c : clients_) {
      caf::anon_send_exit(c.session, caf::exit_reason::user_shutdown);
      caf::anon_send_exit(c.observer, caf::exit_reason::user_shutdown);
    }
  }

  static caf::actor_system_config& configure(caf::actor_system_config& cfg) {
    cfg.add_message_types<caf::id_block::chat>();
    cfg.add_error_category(chat::error_category, chat::render_error);
    spdlog::set_level(spdlog::level::warn);
    return cfg;
  }

  // The lobby's member count reaches `n` within the reply timeout (joins are asynchronous).
  bool lobby_has(uint64_t n) {
    caf::scoped_actor self{sys_};
    auto deadline = std::chrono::steady_clock::now() + reply_timeout;
    do {
      uint64_t members = 0;
      self->request(node_->directory(), reply_timeout, chat::count_atom_v, std::string{"lobby"})
          .receive([&members](uint64_t x) { members = x; }, [](caf::error&) {});
      if (members == n) return true;
      std::this_thread::sleep_for(5ms);
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
  }

  // A connected client, or nullptr after reporting why not.
  test_client* connect() {
    boost::system::error_code ec;
    auto conn = chat::transport::connect(io_.context(), "127.0.0.1", node_->port(), {},
                                         std::chrono::milliseconds{reply_timeout}, ec);
    if (!conn) {
      ADD_FAILURE() << "cannot connect: " << ec.message();
      return nullptr;
    }
    auto& c = clients_.emplace_back();
    c.observer = sys_.spawn(observer, c.box);
    c.session = sys_.spawn(chat::client_session, conn, c.observer);
    conn->start(c.session);
    return &c;
  }

  test_client* logged_in(const std::string& name) {
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

  caf::actor_system_config cfg_;
  // The I/O loop outlives the actor system: an actor's state may hold the last reference to a
  // connection, whose socket needs the io_context while it is destroyed.
  chat::transport::io_loop io_;
  caf::actor_system sys_; // destroyed before the I/O loop, after every actor is gone
  std::optional<chat::server> node_;
  chat::member_actor bot_;
  std::deque<test_client> clients_; // a deque: references stay valid as clients are added
};

TEST_F(TimeBotTest, AnswersTimeAfterTheAskersOwnBroadcast) {
  auto* ann = logged_in("ann");
  ASSERT_NE(ann, nullptr);
  auto* bob = logged_in("bob");
  ASSERT_NE(bob, nullptr);
  ann->broadcast("!time");
  EXPECT_EQ(ann->next(), "BROADCAST_MSG ann: !time");
  EXPECT_EQ(ann->next(), bot_answer);
  EXPECT_EQ(bob->next(), "BROADCAST_MSG ann: !time");
  EXPECT_EQ(bob->next(), bot_answer);
}

TEST_F(TimeBotTest, IgnoresBroadcastsThatAreNotTime) {
  auto* ann = logged_in("ann");
  ASSERT_NE(ann, nullptr);
  ann->broadcast("hello");
  ann->broadcast("!time please");
  ann->broadcast("!time");
  EXPECT_EQ(ann->next(), "BROADCAST_MSG ann: hello");
  EXPECT_EQ(ann->next(), "BROADCAST_MSG ann: !time please");
  EXPECT_EQ(ann->next(), "BROADCAST_MSG ann: !time");
  EXPECT_EQ(ann->next(), bot_answer);
  // A stray answer to the first two would reach the lobby before the bot's real one and so
  // show up before the next exchange.
  ann->broadcast("!time");
  EXPECT_EQ(ann->next(), "BROADCAST_MSG ann: !time");
  EXPECT_EQ(ann->next(), bot_answer);
}

TEST_F(TimeBotTest, ClientCannotTakeTheBotsName) {
  auto* impostor = connect();
  ASSERT_NE(impostor, nullptr);
  impostor->login("timebot");
  EXPECT_EQ(impostor->next(), "LOGIN Login failed: name taken");
  auto* ann = logged_in("ann");
  ASSERT_NE(ann, nullptr);
  ann->broadcast("!time");
  EXPECT_EQ(ann->next(), "BROADCAST_MSG ann: !time");
  EXPECT_EQ(ann->next(), bot_answer);
}

TEST_F(TimeBotTest, SecondBotIsRefusedAndQuits) {
  caf::scoped_actor self{sys_};
  auto second =
      sys_.spawn(chat::time_bot, node_->roster(), node_->directory(), chat::wall_clock{fixed_time});
  self->monitor(second); // on an actor already gone, the down message comes at once
  std::optional<caf::error> reason;
  self->receive([&reason](const caf::down_msg& dm) { reason = dm.reason; },
                caf::after(reply_timeout) >> [] {});
  ASSERT_TRUE(reason.has_value()) << "the second bot is still running";
  EXPECT_EQ(*reason, chat::make_error(chat::errc::name_taken));
  EXPECT_TRUE(lobby_has(1));
}

} // namespace
