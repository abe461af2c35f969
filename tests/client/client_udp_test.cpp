// client_udp_test.cpp -- the client library over the server's UDP endpoint (issue 14): a UDP
// client and a TCP client chat both ways, long messages go in parts each way, a server that is
// not there is said so, and, through a relay that drops, duplicates, reorders and delays
// datagrams, every message that arrives is whole, one that was sent, and arrives once: never
// partial, never corrupt, never twice (docs/PROTOCOL.md "Over TCP and over UDP").
#include "apps/client/client.hpp"
#include "tests/support/local_node.hpp"
#include "tests/support/lossy_relay.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// Named, not anonymous: a unity build puts this file beside the other client tests.
namespace client_udp_test {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

struct inbox {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> texts; // every channel message, as "sender: text"

  chat::client_callbacks callbacks() {
    chat::client_callbacks cb;
    cb.on_message = [this](const std::string&, const std::string& from, const std::string& t) {
      std::lock_guard<std::mutex> g{mutex};
      texts.push_back(from + ": " + t);
      changed.notify_all();
    };
    return cb;
  }
  bool wait_for(const std::string& line, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock<std::mutex> lock{mutex};
    return changed.wait_for(
        lock, timeout, [&] { return std::find(texts.begin(), texts.end(), line) != texts.end(); });
  }
  // Waits until no message came for `quiet` (or `most` passed); returns what came.
  std::vector<std::string> settle(std::chrono::milliseconds quiet, std::chrono::milliseconds most) {
    std::unique_lock<std::mutex> lock{mutex};
    auto deadline = clock_type::now() + most;
    auto seen = texts.size();
    while (clock_type::now() < deadline) {
      changed.wait_for(lock, quiet);
      if (texts.size() == seen) break;
      seen = texts.size();
    }
    return texts;
  }
};

chat::server_options udp_server() {
  chat::server_options o;
  o.udp_port = 0;
  o.session.max_broadcast_rate = 0;
  return o;
}

chat::client_options over_udp(uint16_t port) {
  chat::client_options o;
  o.port = port;
  o.udp = true;
  o.timeout = 2s;
  return o;
}

struct user {
  inbox got;
  std::unique_ptr<chat::client> c;
  user(chat::test::local_node& node, chat::client_options o) {
    c = std::make_unique<chat::client>(node.system(), node.io(), o, got.callbacks());
  }
  chat::client* operator->() { return c.get(); }
};

uint16_t udp_port(chat::test::local_node& node) {
  return node.server().udp_endpoint()->port();
}

// The i-th message of a run: its number, then text that says what its bytes must be.
std::string message(int i, std::size_t size) {
  std::string s = "m" + std::to_string(i) + ":";
  while (s.size() < size)
    s += static_cast<char>('a' + (s.size() * 31 + static_cast<std::size_t>(i)) % 26);
  return s;
}

TEST(ClientUdpTest, AUdpClientAndATcpClientChatAndLongMessagesGoInPartsBothWays) {
  chat::test::local_node node{udp_server()};
  user ann{node, over_udp(udp_port(node))};
  chat::client_options tcp;
  tcp.port = node.port();
  user bob{node, tcp};
  ASSERT_TRUE(ann->connect());
  ASSERT_EQ(ann->login("ann").text, "Login OK");
  ASSERT_TRUE(bob->connect());
  ASSERT_EQ(bob->login("bob").text, "Login OK");
  ASSERT_TRUE(ann->join("rust"));
  ASSERT_TRUE(bob->join("rust"));
  ASSERT_TRUE(ann->say("rust", "hello over udp"));
  EXPECT_TRUE(bob.got.wait_for("ann: hello over udp"));
  ASSERT_TRUE(bob->say("rust", "hello over tcp"));
  EXPECT_TRUE(ann.got.wait_for("bob: hello over tcp"));
  // 40 KB each way: about 35 datagrams of parts from ann, and 35 from the server to her.
  auto long_text = message(1, 40000);
  auto said = ann->say("rust", long_text);
  ASSERT_TRUE(said) << said.text;
  EXPECT_TRUE(bob.got.wait_for("ann: " + long_text));
  auto back = message(2, 40000);
  ASSERT_TRUE(bob->say("rust", back));
  EXPECT_TRUE(ann.got.wait_for("bob: " + back));
}

TEST(ClientUdpTest, NoServerIsSaidSoWithinTheHelloBackOff) {
  chat::test::local_node node{udp_server()};
  auto o = over_udp(node.port()); // a TCP port: nothing takes UDP there
  user nobody{node, o};
  auto r = nobody->connect();
  EXPECT_FALSE(r);
  EXPECT_NE(r.text.find("connection refused: nothing takes UDP"), std::string::npos) << r.text;

  // A server that never answers: every HELLO lost on the way.
  chat::test::loss_profile all_lost;
  all_lost.drop = 1;
  chat::test::lossy_relay relay{udp_port(node), all_lost, {}};
  auto quick = over_udp(relay.port());
  quick.udp_options.hello_waits = {50ms, 100ms, 200ms};
  user lost{node, quick};
  auto start = clock_type::now();
  auto r2 = lost->connect();
  EXPECT_FALSE(r2);
  EXPECT_NE(r2.text.find("no answer from the server"), std::string::npos) << r2.text;
  EXPECT_GE(clock_type::now() - start, 350ms);
  EXPECT_EQ(relay.toward_server().received, 3u) << "one HELLO per wait";
}

// Logs in through a lossy path: a lost HELLO, COOKIE, LOGIN or its answer is a failed attempt,
// and a new client tries again (a bounded number of times).
std::unique_ptr<user> lossy_login(chat::test::local_node& node, uint16_t port,
                                  const std::string& name) {
  for (int attempt = 0; attempt < 10; ++attempt) {
    auto o = over_udp(port);
    o.timeout = 1s;
    auto u = std::make_unique<user>(node, o);
    if (!(*u)->connect()) continue;
    if ((*u)->login(name).text != "Login OK") continue;
    for (int j = 0; j < 10; ++j)
      if ((*u)->join("lossy")) return u;
  }
  return nullptr;
}

TEST(ClientUdpTest, ThroughALossyRelayWhatArrivesIsWholeAndWasSent) {
  chat::test::local_node node{udp_server()};
  chat::test::loss_profile lossy;
  lossy.drop = 0.05;
  lossy.duplicate = 0.05;
  lossy.reorder = 0.1;
  lossy.delay = 1ms;
  lossy.jitter = 3ms;
  chat::test::lossy_relay relay{udp_port(node), lossy, lossy, 14};
  auto ann = lossy_login(node, relay.port(), "ann");
  auto bob = lossy_login(node, relay.port(), "bob");
  ASSERT_TRUE(ann && bob) << "no login in 10 attempts through 5% loss";

  // 90 messages: small (one datagram), 2 KB (2 parts) and 12 KB (11 parts), 100 a second
  // without waiting for each other (a burst would have the relay's reordering keep more than
  // the 4 messages in progress a session allows); whatever arrives must be one of them.
  const std::size_t sizes[] = {40, 2000, 12000};
  std::map<std::string, int> sent; // text -> its number
  for (int i = 0; i < 90; ++i) {
    auto text = message(i, sizes[i % 3]);
    sent.emplace(text, i);
    (*ann)->say("lossy", text, [](const chat::client_result&) {});
    std::this_thread::sleep_for(10ms); // the sending rate, not a wait for anything
  }
  auto got = bob->got.settle(1500ms, 20s);
  std::map<int, int> times; // number -> deliveries
  int foreign = 0;
  for (const auto& line : got) {
    auto text = line.substr(line.find(": ") + 2);
    auto it = sent.find(text);
    if (line.rfind("ann: ", 0) != 0 || it == sent.end()) {
      ++foreign;
      ADD_FAILURE() << "a message that was never sent, or not whole: " << line.substr(0, 60)
                    << "... (" << line.size() << " bytes)";
      continue;
    }
    ++times[it->second];
  }
  int by_size[3] = {0, 0, 0}, twice = 0;
  for (auto [i, n] : times) {
    ++by_size[i % 3];
    if (n > 1) ++twice;
    EXPECT_EQ(n, 1) << "message " << i << " came " << n << " times: each DATA is handled once "
                    << "(its sequence number), and a message in parts once (its id)";
  }
  auto up = relay.toward_server(), down = relay.toward_clients();
  std::cout << "[ lossy    ] delivered " << by_size[0] << "/30 small, " << by_size[1]
            << "/30 of 2 parts, " << by_size[2] << "/30 of 11 parts; " << twice
            << " twice; relay to server: " << up.received << " in, " << up.dropped << " dropped, "
            << up.duplicated << " duplicated, " << up.reordered
            << " reordered; to clients: " << down.received << " in, " << down.dropped
            << " dropped, " << down.duplicated << " duplicated, " << down.reordered << " reordered"
            << std::endl;
  EXPECT_EQ(foreign, 0);
  EXPECT_GE(by_size[0], 20) << "most single datagrams arrive at 5% loss each way";
  EXPECT_GE(by_size[1], 15) << "most 2-part messages survive 2 x 2 chances of loss";
  EXPECT_GE(by_size[2], 2)
      << "some 11-part messages survive 2 x 11 chances of loss (about a third)";
  EXPECT_GT(up.dropped + down.dropped, 0u);
  EXPECT_GT(up.duplicated + down.duplicated, 0u);
  // And the chat goes on: a message after all that still arrives (retried while lost).
  bool through = false;
  for (int i = 0; i < 10 && !through; ++i) {
    (*ann)->say("lossy", "after " + std::to_string(i), [](const chat::client_result&) {});
    through = bob->got.wait_for("ann: after " + std::to_string(i), 1s);
  }
  EXPECT_TRUE(through);
}

} // namespace client_udp_test
