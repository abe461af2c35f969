// client_multipart_test.cpp -- the client library with multi-part messages (issue 14) against a
// real in-process server whose --max-frame is small: a message far larger than a frame is said,
// comes back to its sender and reaches another version-3 client whole; a version-2 client gets
// the server's notice instead; long direct messages; and the bound past --max-message.
#include "apps/client/client.hpp"
#include "tests/support/local_node.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

// Named, not anonymous: a unity build puts this file beside client_v2_test.cpp's own `user`.
namespace client_multipart_test {

using namespace std::chrono_literals;

// Every message, direct message and raw frame a client reported.
struct seen {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> messages; // "#channel sender: text" / "dm sender: text"
  std::vector<chat::inbound_frame> frames;

  chat::client_callbacks callbacks() {
    chat::client_callbacks cb;
    cb.on_message = [this](const std::string& ch, const std::string& from, const std::string& t) {
      add("#" + ch + " " + from + ": " + t);
    };
    cb.on_direct = [this](const std::string& from, const std::string& t) {
      add("dm " + from + ": " + t);
    };
    cb.on_frame = [this](const chat::inbound_frame& f) {
      std::lock_guard<std::mutex> g{mutex};
      frames.push_back(f);
      changed.notify_all();
    };
    return cb;
  }
  void add(std::string line) {
    std::lock_guard<std::mutex> g{mutex};
    messages.push_back(std::move(line));
    changed.notify_all();
  }
  bool wait_message(const std::string& line) {
    std::unique_lock<std::mutex> lock{mutex};
    return changed.wait_for(lock, 10s, [&] {
      return std::find(messages.begin(), messages.end(), line) != messages.end();
    });
  }
  // The text of the first ERROR frame, once one came.
  std::string wait_error() {
    std::unique_lock<std::mutex> lock{mutex};
    std::string text;
    changed.wait_for(lock, 10s, [&] {
      for (const auto& f : frames)
        if (f.type == static_cast<uint8_t>(chat::frame_type::error)) {
          text = f.payload;
          return true;
        }
      return false;
    });
    return text;
  }
  bool saw_part_frame() {
    std::lock_guard<std::mutex> g{mutex};
    return std::any_of(frames.begin(), frames.end(),
                       [](const chat::inbound_frame& f) { return f.type == chat::v2::part_type; });
  }
};

chat::server_options small_frames() {
  chat::server_options o;
  o.limits.max_frame = 4096;
  o.session.max_frame = 4096;
  o.session.parts.max_message = 500000;
  o.session.max_broadcast_rate = 0;
  return o;
}

struct user {
  seen saw;
  std::unique_ptr<chat::client> c;
  user(chat::test::local_node& node, const std::string& name, uint16_t version = 3) {
    chat::client_options o;
    o.port = node.port();
    o.timeout = 5s;
    o.version = version;
    o.limits.max_frame = 4096; // a whole 300 KB frame would end the connection: parts only
    c = std::make_unique<chat::client>(node.system(), node.io(), o, saw.callbacks());
    EXPECT_TRUE(c->connect());
    EXPECT_EQ(c->login(name).text, "Login OK");
  }
  chat::client* operator->() { return c.get(); }
};

std::string text_of(std::size_t n) {
  std::string s;
  s.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    s += i % 61 == 60 ? '\n' : static_cast<char>('a' + (i * 7 + i / 13) % 26);
  return s;
}

TEST(ClientMultipartTest, AMessageFarLargerThanAFrameIsSaidAndReceivedWhole) {
  chat::test::local_node node{small_frames()};
  user ann{node, "ann"}, bob{node, "bob"}, carl{node, "carl", 2};
  for (auto* u : {&ann, &bob, &carl})
    ASSERT_TRUE((*u)->join("big"));
  auto text = text_of(300000); // 74 parts of a 4,096-byte frame
  auto said = ann->say("big", text);
  ASSERT_TRUE(said) << said.text;
  EXPECT_TRUE(said.text == "ann: " + text) << "its own copy came back whole";
  EXPECT_TRUE(bob.saw.wait_message("#big ann: " + text));
  EXPECT_FALSE(bob.saw.saw_part_frame()) << "parts are put back together before anyone sees them";
  EXPECT_EQ(carl.saw.wait_error(), "not delivered: a message from ann in big (300021 bytes) is "
                                   "too long for this client");
  // And chat goes on, for all three.
  ASSERT_TRUE(carl->say("big", "still here"));
  EXPECT_TRUE(ann.saw.wait_message("#big carl: still here"));
  EXPECT_TRUE(bob.saw.wait_message("#big carl: still here"));
}

TEST(ClientMultipartTest, LongDirectMessagesAndTheBoundPastMaxMessage) {
  chat::test::local_node node{small_frames()};
  user ann{node, "ann"}, bob{node, "bob"}, carl{node, "carl", 2};
  auto text = text_of(20000);
  auto sent = ann->direct("bob", text);
  ASSERT_TRUE(sent) << sent.text;
  EXPECT_TRUE(bob.saw.wait_message("dm ann: " + text));
  auto refused = ann->direct("carl", text);
  EXPECT_FALSE(refused);
  EXPECT_EQ(refused.text, "message too long for the recipient's client");
  // Past --max-message the client refuses it itself: nothing goes out.
  auto too_long = ann->say("big", text_of(500001));
  EXPECT_FALSE(too_long);
  EXPECT_EQ(too_long.text, "message too long");
  // A version-2 client keeps the frame bound.
  auto v2_long = carl->direct("ann", text);
  EXPECT_FALSE(v2_long);
  EXPECT_EQ(v2_long.text, "message too long");
}

} // namespace client_multipart_test
