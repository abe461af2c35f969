// slow_member_test.cpp -- issue "History", point 5, against the real chat-server: one member
// reads at about 20 KB/s while ten others broadcast at full speed in one channel. The slow one
// is cut with ERROR "slow consumer" (whole frames before it, nothing after it); the ten lose
// nothing and are never cut; the slow one reconnects, recovers from the channel's history, and
// then holds every message exactly once, in order. Version-2 raw clients (history_client.hpp).
#include "messages/frame_decoder.hpp"
#include "tests/process/history_client.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>

#include <cerrno>

#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace chat::reliability;
namespace v2 = chat::v2;
using chat::recovery;

constexpr int senders = 10;
constexpr int per_sender = 400;
constexpr uint64_t total = senders * per_sender;
constexpr std::size_t text_size = 200; // ~1 MB owed to every member: four times the bound
// Owed to every member: about twice this. A member reading at full speed may still fall a few
// hundred ms behind in a sanitizer build on two cores; the slow one is far behind.
constexpr long max_outbound_bytes = 512 * 1024;
constexpr std::size_t slow_rate = 20'000; // bytes per second
constexpr milliseconds traffic_timeout = 40s;
const std::string channel = "load";

std::string text_of(int k, int i) {
  auto text = "s" + std::to_string(k) + "-" + std::to_string(i) + " ";
  text.append(text_size - text.size(), static_cast<char>('a' + k));
  return text;
}

// What one member holds: offset -> text. Checks, as messages come, that offsets only grow by
// one and each sender's lines come in the order it said them.
struct stream_view {
  std::map<uint64_t, std::string> seen;
  std::map<std::string, int> next_of_sender;
  uint64_t last = 0;
  std::string problem;

  void take(const v2::msg_delivery& m) {
    if (!problem.empty()) return;
    if (m.offset != last + 1)
      problem = "after offset " + std::to_string(last) + " came " + std::to_string(m.offset);
    last = m.offset;
    if (!seen.emplace(m.offset, m.text).second) problem = "offset twice";
    auto dash = m.text.find('-');
    auto space = m.text.find(' ');
    if (dash == std::string::npos || space == std::string::npos) {
      problem = "not a test line: " + m.text;
      return;
    }
    auto who = m.text.substr(0, dash);
    auto i = std::stoi(m.text.substr(dash + 1, space - dash - 1));
    if (i != next_of_sender[who]++) problem = "out of order: " + m.text;
    if (m.text != text_of(std::stoi(who.substr(1)), i)) problem = "changed: " + m.text;
  }
};

// One fast member: a writer thread says its lines as the socket takes them, a reader thread
// takes everything (so it never leaves data backed up while it is busy sending).
struct fast_member {
  std::unique_ptr<raw_client> client;
  int k = 0;
  stream_view view;         // reader thread
  std::string failure;      // reader thread
  std::string send_failure; // writer thread

  void read_all(clock_type::time_point deadline) {
    while (view.seen.size() < total && view.problem.empty()) {
      if (clock_type::now() >= deadline) {
        failure = "timed out";
        return;
      }
      if (!client->wait_readable(100ms)) continue;
      bool open = client->receive_available();
      while (auto f = client->buffered_frame()) {
        if (f->type != static_cast<uint8_t>(v2::type::msg)) continue; // presence
        view.take(std::get<v2::msg_delivery>(v2::decode_msg_delivery(f->payload)));
      }
      if (!open) {
        failure = "the server closed: " + client->failure();
        return;
      }
    }
    if (!view.problem.empty()) failure = view.problem;
  }

  void write_all(clock_type::time_point deadline) {
    std::string out;
    for (int i = 0; i < per_sender; ++i) {
      auto f = v2::encode(v2::msg_request{static_cast<uint32_t>(i + 1), channel, text_of(k, i)});
      out.append(chat::bytes(f).begin(), chat::bytes(f).end());
    }
    send_failure = send_all_raw(client->fd(), out, deadline);
  }
};

// The slow member's reading: at most slow_rate bytes a second, in ten sips, until the server
// ends the connection. Every frame it got, in order.
struct slow_reading {
  std::vector<frame> frames;
  bool ended = false;
  bool torn = false;
  long ms_to_end = -1;
};

slow_reading read_slowly(raw_client& c, clock_type::time_point deadline) {
  slow_reading r;
  auto start = clock_type::now();
  while (auto f = c.buffered_frame()) // what arrived with JOINED
    r.frames.push_back(*f);
  chat::frame_decoder decoder{1 << 20};
  std::string pending{c.unread()};
  decoder.feed(pending.data(), pending.size(), [&](uint8_t type, std::string_view payload) {
    r.frames.push_back({type, std::string{payload}});
  });
  std::vector<char> buf(slow_rate / 10);
  while (clock_type::now() < deadline) {
    auto tick = clock_type::now();
    auto n = ::recv(c.fd(), buf.data(), buf.size(), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      r.ended = true;
      break;
    }
    if (n > 0)
      decoder.feed(buf.data(), static_cast<std::size_t>(n),
                   [&](uint8_t type, std::string_view payload) {
                     r.frames.push_back({type, std::string{payload}});
                   });
    std::this_thread::sleep_until(tick + 100ms);
  }
  r.torn = decoder.mid_frame();
  r.ms_to_end = ms(clock_type::now() - start);
  return r;
}

TEST(SlowMemberTest, IsCutWithErrorWhileTenFullSpeedSendersLoseNothingAndThenRecoversAll) {
  server_process server{{"--max-outbound-bytes=" + std::to_string(max_outbound_bytes),
                         "--max-broadcast-rate=0", "--data-dir=:memory:"}};
  ASSERT_TRUE(server.started()) << server.describe();

  auto slow = std::make_unique<raw_client>(server.port(), client_options{4096});
  ASSERT_TRUE(v2_login(*slow, "slowpoke"));
  auto joined = join(*slow, 1, channel, none());
  ASSERT_TRUE(joined);
  auto epoch = joined->position.epoch;
  std::vector<fast_member> fast(senders);
  for (int k = 0; k < senders; ++k) {
    fast[k].k = k;
    fast[k].client = std::make_unique<raw_client>(server.port());
    ASSERT_TRUE(v2_login(*fast[k].client, "s" + std::to_string(k)));
    ASSERT_TRUE(join(*fast[k].client, 1, channel, none()));
  }

  auto deadline = clock_type::now() + traffic_timeout;
  std::vector<std::thread> threads;
  for (auto& m : fast) {
    threads.emplace_back([&m, deadline] { m.read_all(deadline); });
    threads.emplace_back([&m, deadline] { m.write_all(deadline); });
  }
  auto reading = read_slowly(*slow, deadline);
  for (auto& t : threads)
    t.join();

  // The ten: every message, once, in order; none of them was cut.
  for (auto& m : fast) {
    EXPECT_EQ(m.failure, "") << "s" << m.k << " with " << m.view.seen.size() << " messages";
    EXPECT_EQ(m.send_failure, "") << "s" << m.k;
    EXPECT_EQ(m.view.seen.size(), total) << "s" << m.k;
  }
  auto log = server.stderr_text();
  for (int k = 0; k < senders; ++k)
    EXPECT_EQ(log.find("user=s" + std::to_string(k) + " reason=\"slow"), std::string::npos)
        << "s" << k << " was cut:\n"
        << log;

  // The slow one: whole frames, ERROR "slow consumer" last, then the end of the connection.
  ASSERT_TRUE(reading.ended) << "the slow member was never cut; it got " << reading.frames.size()
                             << " frames";
  EXPECT_FALSE(reading.torn) << "a frame was cut in two";
  ASSERT_FALSE(reading.frames.empty());
  EXPECT_EQ(reading.frames.back().type, static_cast<uint8_t>(chat::frame_type::error));
  EXPECT_EQ(reading.frames.back().payload, "slow consumer");
  stream_view mine;
  for (auto& f : reading.frames)
    if (f.type == static_cast<uint8_t>(v2::type::msg))
      mine.take(std::get<v2::msg_delivery>(v2::decode_msg_delivery(f.payload)));
  EXPECT_EQ(mine.problem, "");
  EXPECT_LT(mine.seen.size(), total) << "it kept up after all";
  auto before_cut = mine.seen.size();

  // It comes back and asks for what it missed.
  ASSERT_TRUE(login_again(slow, server.port(), "slowpoke"));
  auto back = join(*slow, 1, channel, since(epoch, mine.last));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->position.result, recovery::replayed);
  EXPECT_EQ(back->position.replayed, total - mine.last);
  while (mine.seen.size() < total && mine.problem.empty()) {
    auto m = next_msg(*slow);
    ASSERT_TRUE(m) << "with " << mine.seen.size() << " held: " << slow->failure();
    mine.take(*m);
  }
  EXPECT_EQ(mine.problem, "");
  EXPECT_EQ(mine.seen.size(), total);
  EXPECT_EQ(mine.next_of_sender.size(), std::size_t{senders});
  std::cout << "[ slow     ] " << senders << " x " << per_sender << " messages of " << text_size
            << " B; the member reading " << slow_rate << " B/s got " << before_cut
            << " of them and ERROR \"slow consumer\" " << reading.ms_to_end
            << " ms after the first, then recovered " << back->position.replayed << std::endl;
}

} // namespace
