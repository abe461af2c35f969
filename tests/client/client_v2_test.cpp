// client_v2_test.cpp -- the client library's version-2 API against a real in-process server:
// join, say, leave, direct messages, who and list with paging, presence events, refusals as
// errors with the server's reason, the asynchronous forms, and channels rejoined on reconnect.
#include "apps/client/client.hpp"
#include "store/history_store.hpp"
#include "tests/support/client_side.hpp"
#include "tests/support/local_node.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using chat::client_state;
using chat::v2::presence_kind;

// The version-2 events a client reported, each as one line, for tests to wait on.
struct events {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> lines;
  std::vector<client_state> states;

  void add(std::string line) {
    std::lock_guard<std::mutex> g{mutex};
    lines.push_back(std::move(line));
    changed.notify_all();
  }
  chat::client_callbacks callbacks() {
    chat::client_callbacks cb;
    cb.on_message = [this](const std::string& ch, const std::string& from, const std::string& t) {
      add("#" + ch + " " + from + ": " + t);
    };
    cb.on_direct = [this](const std::string& from, const std::string& t) {
      add("dm " + from + ": " + t);
    };
    cb.on_presence = [this](const std::string& ch, const std::string& user, presence_kind k) {
      const char* what = k == presence_kind::joined ? "joined"
                         : k == presence_kind::left ? "left"
                                                    : "dropped";
      add(user + " " + what + " #" + ch);
    };
    cb.on_recovery = [this](const std::string& ch, const chat::stream_position& p) {
      add("recovery #" + ch + " " + std::to_string(static_cast<int>(p.result)) + " " +
          std::to_string(p.replayed));
    };
    cb.on_state = [this](client_state s, const std::string&) {
      std::lock_guard<std::mutex> g{mutex};
      states.push_back(s);
      changed.notify_all();
    };
    return cb;
  }
  // Until `line` was reported `n` times.
  bool wait(const std::string& line, std::size_t n = 1, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock<std::mutex> lock{mutex};
    return changed.wait_for(lock, timeout, [&] {
      return static_cast<std::size_t>(std::count(lines.begin(), lines.end(), line)) >= n;
    });
  }
  bool saw(const std::string& line) {
    std::lock_guard<std::mutex> g{mutex};
    return std::find(lines.begin(), lines.end(), line) != lines.end();
  }
  bool wait_state_count(client_state s, std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock{mutex};
    return changed.wait_for(lock, timeout, [&] {
      return static_cast<std::size_t>(std::count(states.begin(), states.end(), s)) >= n;
    });
  }
};

chat::client_options v2_to(uint16_t port) {
  chat::client_options o;
  o.port = port;
  o.timeout = 2s;
  return o; // version 2 is the default
}

// A logged-in version-2 client with its event log.
struct user {
  events saw;
  std::unique_ptr<chat::client> c;
  user(chat::test::local_node& node, const std::string& name) {
    c = std::make_unique<chat::client>(node.system(), node.io(), v2_to(node.port()),
                                       saw.callbacks());
    EXPECT_TRUE(c->connect());
    EXPECT_EQ(c->login(name).text, "Login OK");
  }
  chat::client* operator->() { return c.get(); }
};

TEST(ClientV2Test, JoinAndSayReachTheOtherMembersOfTheChannelOnly) {
  chat::test::local_node node;
  user ann{node, "ann"}, bob{node, "bob"}, cat{node, "cat"};
  ASSERT_TRUE(ann->join("rust"));
  ASSERT_TRUE(bob->join("rust"));
  ASSERT_TRUE(cat->join("go"));
  auto said = ann->say("rust", "hi rust");
  ASSERT_TRUE(said) << said.text;
  EXPECT_EQ(said.text, "ann: hi rust");
  EXPECT_TRUE(bob.saw.wait("#rust ann: hi rust"));
  EXPECT_TRUE(ann.saw.saw("#rust ann: hi rust")) << "the sender's own copy is an event too";
  ASSERT_TRUE(cat->say("go", "hi go")); // after ann's: had cat seen hers, it would be by now
  EXPECT_TRUE(bob.saw.wait("#rust ann: hi rust"));
  EXPECT_FALSE(cat.saw.saw("#rust ann: hi rust"));
  EXPECT_FALSE(bob.saw.saw("#go cat: hi go"));
  EXPECT_EQ(ann->join("rust").text, "already a member");
}

TEST(ClientV2Test, PresenceTellsWhoJoinedLeftAndDropped) {
  chat::test::local_node node;
  user ann{node, "ann"};
  ASSERT_TRUE(ann->join("rust"));
  EXPECT_TRUE(ann.saw.wait("ann joined #rust")) << "our own join is announced to us too";
  {
    user bob{node, "bob"};
    ASSERT_TRUE(bob->join("rust"));
    EXPECT_TRUE(ann.saw.wait("bob joined #rust"));
    ASSERT_TRUE(bob->leave("rust"));
    EXPECT_TRUE(ann.saw.wait("bob left #rust"));
    ASSERT_TRUE(bob->join("rust"));
  } // bob's client closes its connection without leaving
  EXPECT_TRUE(ann.saw.wait("bob dropped #rust"));
}

TEST(ClientV2Test, DirectMessageIsAcknowledgedAndDelivered) {
  chat::test::local_node node;
  user ann{node, "ann"}, bob{node, "bob"};
  auto sent = ann->direct("bob", "psst");
  EXPECT_TRUE(sent) << sent.text;
  EXPECT_TRUE(bob.saw.wait("dm ann: psst"));
  EXPECT_FALSE(ann.saw.saw("dm ann: psst")) << "a direct message is not echoed to its sender";
  auto nobody = ann->direct("nobody", "hello?");
  EXPECT_FALSE(nobody);
  EXPECT_EQ(nobody.text, "no such user");
}

TEST(ClientV2Test, RefusalsAreErrorsWithTheServersReason) {
  chat::test::local_node node;
  user ann{node, "ann"};
  EXPECT_EQ(ann->say("rust", "hi").text, "not a member of rust");
  EXPECT_EQ(ann->leave("rust").text, "not a member of rust");
  EXPECT_EQ(ann->join("a b").text, "channel name contains white space");
  EXPECT_EQ(ann->join(std::string(300, 'x')).text, "channel name too long (at most 64 bytes)");
  EXPECT_EQ(ann->who("nowhere").text, "no such channel");
  ASSERT_TRUE(ann->join("rust"));
  EXPECT_EQ(ann->say("rust", "\xFF").text, "invalid UTF-8");
  EXPECT_TRUE(ann->say("rust", "still fine")) << "the connection survived every refusal";
}

TEST(ClientV2Test, LeaveEndsMembership) {
  chat::test::local_node node;
  user ann{node, "ann"}, bob{node, "bob"};
  ASSERT_TRUE(ann->join("rust"));
  ASSERT_TRUE(bob->join("rust"));
  ASSERT_TRUE(ann->leave("rust"));
  EXPECT_EQ(ann->say("rust", "anyone?").text, "not a member of rust");
  ASSERT_TRUE(bob->say("rust", "after ann left"));
  auto who = bob->who("rust");
  ASSERT_TRUE(who) << who.text;
  EXPECT_EQ(who.names, std::vector<std::string>{"bob"});
}

TEST(ClientV2Test, WhoAndListGatherEveryPageOrGiveOne) {
  chat::server_options small_pages;
  small_pages.session.page_size = 2;
  chat::test::local_node node{small_pages};
  user ann{node, "ann"}, bob{node, "bob"}, cat{node, "cat"}, dan{node, "dan"};
  for (auto* u : {&ann, &bob, &cat, &dan})
    ASSERT_TRUE((*u)->join("rust"));
  ASSERT_TRUE(ann->join("go"));
  ASSERT_TRUE(ann->join("zig"));

  auto all = bob->who("rust");
  ASSERT_TRUE(all) << all.text;
  EXPECT_EQ(all.total, 4u);
  EXPECT_EQ(all.names, (std::vector<std::string>{"ann", "bob", "cat", "dan"}));
  EXPECT_EQ(all.next, "");

  auto page = bob->who("rust", "ann", 1);
  ASSERT_TRUE(page) << page.text;
  EXPECT_EQ(page.names, std::vector<std::string>{"bob"});
  EXPECT_EQ(page.next, "bob");

  auto channels = cat->list();
  ASSERT_TRUE(channels) << channels.text;
  EXPECT_EQ(channels.total, 3u);
  EXPECT_EQ(channels.channels,
            (std::vector<chat::v2::channel_count>{{"go", 1}, {"rust", 4}, {"zig", 1}}));
  auto first = cat->list("", 1);
  ASSERT_TRUE(first);
  EXPECT_EQ(first.channels, (std::vector<chat::v2::channel_count>{{"go", 1}}));
  EXPECT_EQ(first.next, "go");
}

TEST(ClientV2Test, AsynchronousFormsAnswerThroughTheirCallback) {
  chat::test::local_node node;
  user ann{node, "ann"}, bob{node, "bob"};
  events done;
  auto note = [&done](const char* what) {
    return [&done, what](const chat::client_result& r) {
      done.add(std::string{what} + (r ? " ok " : " failed ") + r.text);
    };
  };
  ann->join("rust", note("join"));
  ann->say("rust", "async hi", note("say"));
  ann->direct("bob", "async psst", note("dm"));
  ann->direct("nobody", "x", note("dm nobody"));
  ann->leave("go", note("leave"));
  EXPECT_TRUE(done.wait("join ok "));
  EXPECT_TRUE(done.wait("say ok ann: async hi"));
  EXPECT_TRUE(done.wait("dm ok "));
  EXPECT_TRUE(done.wait("dm nobody failed no such user"));
  EXPECT_TRUE(done.wait("leave failed not a member of go"));
  EXPECT_TRUE(bob.saw.wait("dm ann: async psst"));
}

TEST(ClientV2Test, Version1ClientSendsNoHelloAndGetsNoChannels) {
  chat::test::local_node node;
  auto options = v2_to(node.port());
  options.version = 1;
  chat::client old{node.system(), node.io(), options};
  ASSERT_TRUE(old.connect());
  ASSERT_TRUE(old.login("old"));
  EXPECT_EQ(old.join("rust").text, "version 2 is switched off");
  user ann{node, "ann"};
  ASSERT_TRUE(ann->join("lobby"));
  ASSERT_TRUE(old.broadcast("from v1"));
  EXPECT_TRUE(ann.saw.wait("#lobby old: from v1")) << "a version-1 client chats in the lobby";
}

TEST(ClientV2Test, ChannelsAreJoinedAgainAfterAReconnect) {
  auto node = std::make_unique<chat::test::local_node>();
  auto port = node->port();
  chat::test::client_side side;
  {
    events saw;
    auto options = v2_to(port);
    options.reconnect = true;
    options.reconnect_first = 50ms;
    options.reconnect_max = 400ms;
    chat::client ann{side.sys, side.context(), options, saw.callbacks()};
    ASSERT_TRUE(ann.connect());
    ASSERT_TRUE(ann.login("ann"));
    ASSERT_TRUE(ann.join("rust"));
    // Our own presence comes after the REPLY; once it is here, nothing of this server is owed.
    ASSERT_TRUE(saw.wait("ann joined #rust", 1));
    node.reset(); // the server goes away and comes back on the same port
    ASSERT_TRUE(saw.wait_state_count(client_state::disconnected, 1, 5s));
    chat::server_options same_port;
    same_port.port = port;
    node = std::make_unique<chat::test::local_node>(same_port);
    ASSERT_TRUE(saw.wait_state_count(client_state::logged_in, 2, 10s)) << "never logged in again";
    // Our own presence, a second time, tells that the rejoin went through.
    ASSERT_TRUE(saw.wait("ann joined #rust", 2));
    auto said = ann.say("rust", "back in rust");
    EXPECT_TRUE(said) << said.text;
  }
}

chat::store::history_store_ptr memory_store() {
  return std::get<chat::store::history_store_ptr>(chat::store::history_store::open(
      std::string{chat::store::memory_only}, chat::store::retention{}));
}

// ann, with reconnect on, in #rust of a server that keeps history in `store`; away() takes the
// server down, back() starts one on the same port.
struct ann_in_rust {
  chat::server_options options;
  std::unique_ptr<chat::test::local_node> node;
  uint16_t port = 0;
  chat::test::client_side side;
  events saw;
  std::unique_ptr<chat::client> ann;

  explicit ann_in_rust(chat::store::history_store_ptr store) {
    options.channels.history = std::move(store);
    node = std::make_unique<chat::test::local_node>(options);
    port = node->port();
    auto o = v2_to(port);
    o.reconnect = true;
    o.reconnect_first = 50ms;
    o.reconnect_max = 200ms;
    ann = std::make_unique<chat::client>(side.sys, side.context(), o, saw.callbacks());
  }
  // ann joins #rust and says "one"; then the server goes.
  testing::AssertionResult said_one_then_away() {
    if (!ann->connect() || !ann->login("ann") || !ann->join("rust") || !ann->say("rust", "one"))
      return testing::AssertionFailure() << "ann did not get into #rust";
    node.reset();
    if (!saw.wait_state_count(client_state::disconnected, 1, 5s))
      return testing::AssertionFailure() << "ann never saw the server go";
    return testing::AssertionSuccess();
  }
  void back(chat::store::history_store_ptr store) {
    auto same_port = options;
    same_port.port = port;
    same_port.channels.history = std::move(store);
    node = std::make_unique<chat::test::local_node>(same_port);
  }
};

// Three servers on one in-memory store, like one server restarted with its data directory: ann
// is away while bob talks on the second, and comes back to the third with everything missed.
TEST(ClientV2Test, AReconnectRecoversWhatWasSaidWhileAway) {
  auto store = memory_store();
  ann_in_rust t{store};
  ASSERT_TRUE(t.said_one_then_away());
  {
    chat::test::local_node other{t.options};
    chat::client bob{t.side.sys, t.side.context(), v2_to(other.port())};
    ASSERT_TRUE(bob.connect());
    ASSERT_TRUE(bob.login("bob"));
    ASSERT_TRUE(bob.join("rust"));
    ASSERT_TRUE(bob.say("rust", "two"));
    ASSERT_TRUE(bob.say("rust", "three"));
    auto page = bob.history("rust", 0, 10);
    ASSERT_TRUE(page) << page.text;
    ASSERT_EQ(page.page.entries.size(), 3u);
    EXPECT_EQ(page.page.entries.front().text, "one");
    EXPECT_EQ(page.page.entries.back().offset, 3u);
  }
  t.back(store);
  auto& saw = t.saw;
  ASSERT_TRUE(saw.wait("recovery #rust 1 2", 1, 10s)) << "recovered: replayed 2";
  ASSERT_TRUE(saw.wait("#rust bob: three"));
  {
    std::lock_guard<std::mutex> g{saw.mutex};
    auto at = [&](const std::string& l) {
      return std::find(saw.lines.begin(), saw.lines.end(), l) - saw.lines.begin();
    };
    EXPECT_LT(at("recovery #rust 1 2"), at("#rust bob: two"));
    EXPECT_LT(at("#rust bob: two"), at("#rust bob: three"));
    EXPECT_EQ(std::count(saw.lines.begin(), saw.lines.end(), "#rust ann: one"), 1)
        << "not replayed: ann had it";
  }
  auto r = t.ann->say("rust", "back");
  EXPECT_TRUE(r) << r.text;
}

// A JOIN to a server that lost the channel's history (a new store) is told so, and the client
// says so instead of pretending it missed nothing.
TEST(ClientV2Test, AReconnectToAServerThatLostHistoryIsToldSo) {
  ann_in_rust t{memory_store()};
  ASSERT_TRUE(t.said_one_then_away());
  t.back(memory_store()); // a new epoch for every channel
  ASSERT_TRUE(t.saw.wait("recovery #rust 2 0", 1, 10s)) << "epoch changed, nothing to show";
}

} // namespace
