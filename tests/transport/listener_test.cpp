// listener_test.cpp -- accepting over loopback: connection counting under churn, stop(), and an
// accept loop that survives running out of file descriptors.
#include "messages/frame_encoder.hpp"
#include "tests/transport/connection_probe.hpp"
#include "transport/io_loop.hpp"
#include "transport/listener.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <unistd.h>

#include <mutex>
#include <set>
#include <thread>

namespace {

namespace asio = boost::asio;
using chat::test::probe_event;
using chat::transport::tcp;
using namespace std::chrono_literals;

class ListenerTest : public ::testing::Test {
protected:
  ListenerTest() : sys(cfg), io(2) {}

  void listen(chat::transport::listener_policy policy = {}) {
    auto on_accept = [this](const std::shared_ptr<chat::transport::tcp_connection>& conn) {
      {
        std::lock_guard<std::mutex> guard{accepted_mutex};
        accepted_on.push_back(conn->loop());
      }
      return chat::connection_owner{sys.spawn(chat::test::connection_probe, log)};
    };
    listener = std::make_shared<chat::transport::listener>(
        io.context(), tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0},
        chat::transport::connection_limits{}, std::move(policy), on_accept);
    listener->start();
  }

  ~ListenerTest() override {
    clients.clear();
    if (!listener) return;
    listener->stop();
    wait_for_open(0);
    listener.reset();
    io.drain_and_join();
  }

  tcp::socket& connect_one() {
    clients.push_back(std::make_unique<tcp::socket>(io.context()));
    clients.back()->connect(listener->local_endpoint());
    return *clients.back();
  }

  // Polls `done` every 5 ms for at most 5 s.
  template <class Done> static bool wait_until(Done done) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done())
      if (std::chrono::steady_clock::now() > deadline)
        return false;
      else
        std::this_thread::sleep_for(5ms);
    return true;
  }

  bool wait_for_open(std::size_t n) {
    return wait_until([&] { return listener->open_connections() == n; });
  }

  // The listener counts a connection open before it hands it to on_accept, so a test that looks
  // at what on_accept saw waits for that, not for the count.
  bool wait_for_accepted(std::size_t n) {
    return wait_until([&] {
      std::lock_guard<std::mutex> guard{accepted_mutex};
      return accepted_on.size() == n;
    });
  }

  caf::actor_system_config cfg;
  caf::actor_system sys;
  chat::transport::io_loop io;
  std::shared_ptr<chat::test::probe_log> log = std::make_shared<chat::test::probe_log>();
  std::shared_ptr<chat::transport::listener> listener;
  std::vector<std::unique_ptr<tcp::socket>> clients;
  std::mutex accepted_mutex;
  std::vector<asio::any_io_executor> accepted_on; // each accepted connection's loop, in order
};

TEST_F(ListenerTest, CountsOpenConnectionsExactlyUnderChurn) {
  listen();
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 20; ++i)
      connect_one();
    ASSERT_TRUE(wait_for_open(20)) << listener->open_connections();
    clients.resize(10); // the other ten hang up
    ASSERT_TRUE(wait_for_open(10)) << listener->open_connections();
    clients.clear();
    ASSERT_TRUE(wait_for_open(0)) << listener->open_connections();
  }
}

TEST_F(ListenerTest, SpreadsConnectionsOverTheLoopsItIsGiven) {
  chat::transport::listener_policy policy;
  policy.connection_loops = io.contexts();
  ASSERT_EQ(policy.connection_loops.size(), 2u);
  listen(policy);
  for (int i = 0; i < 6; ++i)
    connect_one();
  ASSERT_TRUE(wait_for_accepted(6)) << listener->open_connections() << " open";
  std::lock_guard<std::mutex> guard{accepted_mutex};
  for (std::size_t i = 0; i < accepted_on.size(); ++i) // one after the other
    EXPECT_TRUE(accepted_on[i] == asio::any_io_executor{io.contexts()[i % 2]->get_executor()})
        << "connection " << i;
}

TEST_F(ListenerTest, WithoutLoopsEveryConnectionLivesOnTheListenersContext) {
  listen();
  for (int i = 0; i < 3; ++i)
    connect_one();
  ASSERT_TRUE(wait_for_accepted(3)) << listener->open_connections() << " open";
  std::lock_guard<std::mutex> guard{accepted_mutex};
  for (auto& loop : accepted_on)
    EXPECT_TRUE(loop == asio::any_io_executor{io.context().get_executor()});
}

TEST_F(ListenerTest, StopClosesEveryConnectionAndStopsAccepting) {
  listen();
  auto& a = connect_one();
  auto& b = connect_one();
  ASSERT_TRUE(wait_for_open(2));
  listener->stop();
  ASSERT_TRUE(wait_for_open(0));
  char byte;
  boost::system::error_code ec;
  a.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, asio::error::eof);
  b.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, asio::error::eof);
  tcp::socket late{io.context()};
  late.connect(listener->local_endpoint(), ec);
  EXPECT_TRUE(ec) << "still accepting after stop()";
}

// New descriptors take the lowest free number and must stay below RLIMIT_NOFILE: with the limit
// set to the lowest free number, no descriptor can be created until one below it is closed.
int lowest_free_descriptor() {
  int fd = ::dup(0);
  ::close(fd);
  return fd;
}

TEST_F(ListenerTest, AcceptLoopSurvivesRunningOutOfDescriptors) {
  listen();
  for (int i = 0; i < 8; ++i) { // their descriptors exist before the limit bites
    clients.push_back(std::make_unique<tcp::socket>(io.context()));
    clients.back()->open(tcp::v4());
  }
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit low = saved;
  low.rlim_cur = static_cast<rlim_t>(lowest_free_descriptor());
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  for (auto& c : clients)
    c->connect(listener->local_endpoint()); // lands in the backlog; accept() fails with EMFILE
  std::this_thread::sleep_for(300ms);       // several back-off rounds
  auto accepted_while_exhausted = listener->open_connections();
  clients.resize(4); // frees 4 descriptors: the loop must pick up the backlog again
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  // Another thread may free a descriptor meanwhile; what matters is that the limit bit.
  ASSERT_LT(accepted_while_exhausted, 8u) << "the limit never bit: the test proves nothing";
  for (std::size_t i = 0; i < clients.size(); ++i)
    asio::write(*clients[i], asio::buffer(std::string("\x02\x00\x00\x00\x05", 5) + char('0' + i)));
  std::set<std::string> pinged;
  while (pinged.size() < 4) {
    auto e = log->next();
    ASSERT_TRUE(e) << "only " << pinged.size() << " of 4 survivors were served";
    if (e->what == probe_event::kind::frame) pinged.insert(e->frame.payload);
  }
  EXPECT_EQ(pinged, (std::set<std::string>{"0", "1", "2", "3"}));
}

// Reads one whole frame from a raw socket (5 s at most); "CLOSED" at EOF.
std::string read_frame(tcp::socket& s) {
  struct timeval tv {
    5, 0
  };
  setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  // A blocking read here can end with EINTR once an earlier test in this process has left a
  // signal handler behind; that is no answer from the server, so read on.
  auto read_all = [&s](std::string& into) {
    boost::system::error_code ec;
    std::size_t got = 0;
    do {
      got += asio::read(s, asio::buffer(into.data() + got, into.size() - got), ec);
    } while (ec == asio::error::interrupted && got < into.size());
    return ec;
  };
  std::string header(5, '\0');
  auto ec = read_all(header);
  if (ec == asio::error::eof) return "CLOSED";
  if (ec) return "read failed: " + ec.message();
  auto len = static_cast<uint8_t>(header[0]) | (static_cast<uint8_t>(header[1]) << 8);
  std::string payload(static_cast<std::size_t>(len - 1), '\0');
  read_all(payload);
  return std::to_string(static_cast<int>(header[4])) + ":" + payload;
}

TEST_F(ListenerTest, PastMaxConnectionsNewcomersAreToldAndClosedAndAcceptingGoesOn) {
  chat::transport::listener_policy policy;
  policy.slots = std::make_shared<chat::transport::connection_slots>(3);
  policy.refusal = chat::encode(chat::frame_type::error, "server full");
  listen(policy);
  for (int i = 0; i < 3; ++i)
    connect_one();
  ASSERT_TRUE(wait_for_open(3));
  auto& fourth = connect_one();
  EXPECT_EQ(read_frame(fourth), "4:server full");
  EXPECT_EQ(read_frame(fourth), "CLOSED");
  EXPECT_EQ(listener->open_connections(), 3u);
  clients.erase(clients.begin()); // a slot frees up ...
  ASSERT_TRUE(wait_for_open(2));
  connect_one(); // ... and the next one is served
  EXPECT_TRUE(wait_for_open(3));
}

TEST_F(ListenerTest, SilentPeerIsProbedThenClosedWithFarewell) {
  chat::transport::listener_policy policy;
  policy.idle_interval = 100ms;
  policy.idle_timeout = 400ms;
  policy.idle_probe = chat::encode(chat::frame_type::ping, "");
  policy.idle_farewell = chat::encode(chat::frame_type::error, "idle timeout");
  listen(policy);
  auto& silent = connect_one();
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(read_frame(silent), "5:"); // one PING, not one per sweep
  EXPECT_EQ(read_frame(silent), "4:idle timeout");
  EXPECT_EQ(read_frame(silent), "CLOSED");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 400ms);
}

TEST_F(ListenerTest, PeerThatKeepsTalkingIsNeverTimedOut) {
  chat::transport::listener_policy policy;
  policy.idle_interval = 100ms;
  policy.idle_timeout = 300ms;
  listen(policy);
  auto& talker = connect_one();
  for (int i = 0; i < 12; ++i) { // 1.2 s, four idle timeouts long
    asio::write(talker, asio::buffer(std::string("\x01\x00\x00\x00\x06", 5)));
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(listener->open_connections(), 1u);
}

TEST_F(ListenerTest, StopSendsTheFarewellBeforeClosing) {
  listen();
  auto& a = connect_one();
  ASSERT_TRUE(wait_for_open(1));
  listener->stop(chat::encode(chat::frame_type::error, "server shutting down"));
  EXPECT_EQ(read_frame(a), "4:server shutting down");
  EXPECT_EQ(read_frame(a), "CLOSED");
}

} // namespace
