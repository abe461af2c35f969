// client_test.cpp -- the client library against a real in-process server: synchronous calls,
// callbacks, a server that is not there or does not answer, and reconnect across a restart.
// These speak protocol version 1 (client_options::version = 1: no HELLO), the behaviour every
// original client sees; client_v2_test.cpp has channels, direct messages and presence.
#include "apps/client/client.hpp"
#include "tests/support/client_side.hpp"
#include "tests/support/local_node.hpp"
#include "transport/io_loop.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using chat::client_state;

// What the callbacks saw, for tests to wait on.
struct seen {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> frames;
  std::vector<client_state> states;

  chat::client_callbacks callbacks() {
    chat::client_callbacks cb;
    cb.on_frame = [this](const chat::inbound_frame& f) {
      std::lock_guard<std::mutex> g{mutex};
      frames.push_back(chat::frame_type_name(f.type) + " " + f.payload);
      changed.notify_all();
    };
    cb.on_state = [this](client_state s, const std::string&) {
      std::lock_guard<std::mutex> g{mutex};
      states.push_back(s);
      changed.notify_all();
    };
    return cb;
  }
  bool wait_frame(const std::string& text, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock<std::mutex> lock{mutex};
    return changed.wait_for(lock, timeout, [&] {
      return std::find(frames.begin(), frames.end(), text) != frames.end();
    });
  }
  bool wait_state_count(client_state s, std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock{mutex};
    return changed.wait_for(lock, timeout, [&] {
      return static_cast<std::size_t>(std::count(states.begin(), states.end(), s)) >= n;
    });
  }
};

chat::client_options to(uint16_t port) {
  chat::client_options o;
  o.port = port;
  o.timeout = 2s;
  o.version = 1;
  return o;
}

TEST(ClientTest, SyncCallsAgainstALiveServer) {
  chat::test::local_node node;
  seen ann_saw;
  chat::client ann{node.system(), node.io(), to(node.port()), ann_saw.callbacks()};
  chat::client bob{node.system(), node.io(), to(node.port())};
  ASSERT_TRUE(ann.connect());
  ASSERT_TRUE(bob.connect());
  EXPECT_EQ(bob.broadcast("too early").text, "login first");
  EXPECT_EQ(ann.login("ann").text, "Login OK");
  EXPECT_EQ(ann.login("ann2").text, "Login failed: already logged in as ann");
  EXPECT_EQ(bob.login("ann").text, "Login failed: name taken");
  EXPECT_TRUE(bob.login("bob"));
  auto echo = ann.echo("hi");
  EXPECT_TRUE(echo);
  EXPECT_EQ(echo.text, "Echo: hi");
  auto sent = ann.broadcast("hello bob");
  EXPECT_TRUE(sent) << sent.text;
  EXPECT_EQ(sent.text, "ann: hello bob");
  std::chrono::microseconds rtt{0};
  EXPECT_TRUE(ann.ping(&rtt));
  EXPECT_GT(rtt.count(), 0);
  ASSERT_TRUE(bob.broadcast("hello ann"));
  EXPECT_TRUE(ann_saw.wait_frame("BROADCAST_MSG bob: hello ann")); // through the callback
  EXPECT_EQ(ann.echo("\xFF").text, "invalid UTF-8");
}

// --io-threads 2: the server's connections live on two loops, and chat crosses between them.
TEST(ClientTest, ClientsOnTwoIoThreadsChatWithEachOther) {
  chat::test::local_node node{{}, 2};
  std::vector<std::unique_ptr<seen>> saw;
  std::vector<std::unique_ptr<chat::client>> clients;
  for (int i = 0; i < 4; ++i) {
    saw.push_back(std::make_unique<seen>());
    clients.push_back(std::make_unique<chat::client>(node.system(), node.io(), to(node.port()),
                                                     saw.back()->callbacks()));
    ASSERT_TRUE(clients.back()->connect());
    ASSERT_TRUE(clients.back()->login("c" + std::to_string(i)));
  }
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(clients[i]->broadcast("from " + std::to_string(i)));
  for (int to_whom = 0; to_whom < 4; ++to_whom)
    for (int from = 0; from < 4; ++from) {
      auto text = "BROADCAST_MSG c" + std::to_string(from) + ": from " + std::to_string(from);
      EXPECT_TRUE(saw[to_whom]->wait_frame(text)) << "c" << to_whom << " missed " << text;
    }
  clients.clear(); // before the node: each client's actor and connection go first
}

TEST(ClientTest, NoServerMeansAClearErrorWithinTheTimeout) {

  chat::transport::io_loop io{1};
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  // A port that is bound but not listening: connecting to it is refused, and nobody can take it.
  asio::ip::tcp::socket holder{io.context()};
  holder.open(asio::ip::tcp::v4());
  holder.bind({asio::ip::make_address("127.0.0.1"), 0});
  auto port = holder.local_endpoint().port();
  {
    chat::client c{sys, io.context(), to(port)};
    auto start = std::chrono::steady_clock::now();
    auto connected = c.connect();
    EXPECT_FALSE(connected);
    EXPECT_NE(connected.text.find("cannot connect"), std::string::npos) << connected.text;
    EXPECT_EQ(c.login("ann").text, "not connected");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  }
  holder.close();
  io.drain_and_join();
}

TEST(ClientTest, SilentServerMakesCallsTimeOutNotHang) {
  chat::transport::io_loop io{1};
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  asio::ip::tcp::acceptor mute{io.context(), {asio::ip::make_address("127.0.0.1"), 0}};
  asio::ip::tcp::socket accepted{io.context()};
  mute.async_accept(accepted, [](auto) {}); // accepts, never answers
  {
    auto options = to(mute.local_endpoint().port());
    options.timeout = 300ms;
    chat::client c{sys, io.context(), options};
    ASSERT_TRUE(c.connect());
    auto start = std::chrono::steady_clock::now();
    auto reply = c.login("ann");
    EXPECT_FALSE(reply);
    EXPECT_EQ(reply.text, "no answer in time");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  }
  asio::post(io.context(), [&] {
    boost::system::error_code ignored;
    accepted.close(ignored);
    mute.close(ignored);
  });
  io.drain_and_join();
}

TEST(ClientTest, ReconnectsAndLogsInAgainAfterAServerRestart) {
  seen saw;
  uint16_t port = 0;
  auto node = std::make_unique<chat::test::local_node>();
  port = node->port();
  chat::client_options options = to(port);
  options.reconnect = true;
  options.reconnect_first = 50ms;
  options.reconnect_max = 400ms;
  chat::test::client_side side;
  {
    chat::client ann{side.sys, side.context(), options, saw.callbacks()};
    ASSERT_TRUE(ann.connect());
    ASSERT_TRUE(ann.login("ann"));
    node.reset(); // the server goes away ...
    ASSERT_TRUE(saw.wait_state_count(client_state::disconnected, 1, 5s));
    std::this_thread::sleep_for(300ms); // ... a few failed attempts later ...
    chat::server_options same_port;
    same_port.port = port;
    node = std::make_unique<chat::test::local_node>(same_port); // ... it is back
    ASSERT_TRUE(saw.wait_state_count(client_state::logged_in, 2, 10s)) << "never logged in again";
    auto sent = ann.broadcast("I am back");
    EXPECT_TRUE(sent) << sent.text;
  }
}

} // namespace
