// limits_test.cpp -- each of chat-server's bounds, seen from the client side over raw sockets:
// idle timeout (and a heartbeat that keeps a client in), server full, the broadcast rate limit,
// and graceful shutdown with 100 members and with a member that never reads.
#include "tests/process/reliability_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace chat::reliability;

// -- idle timeout -----------------------------------------------------------------------------

TEST(IdleTimeoutTest, SilentClientGetsPingThenIdleTimeoutThenEof) {
  server_process server{{"--idle-interval=200ms", "--idle-timeout=600ms", "--log-level=warn"}};
  ASSERT_TRUE(server.started()) << server.describe();

  auto start = clock_type::now();
  raw_client silent{server.port()};
  ASSERT_TRUE(silent.connected()) << silent.failure();
  auto ping = silent.read_frame(3s);
  auto ping_ms = ms(clock_type::now() - start);
  ASSERT_TRUE(ping) << silent.failure();
  EXPECT_EQ(ping->type, type::ping) << *ping;
  EXPECT_GE(ping_ms, 200) << "PING before --idle-interval";
  EXPECT_TRUE(next_frame_is(silent, {type::error, "idle timeout"}, 3s));
  EXPECT_EQ(silent.wait_closed(3s), raw_client::ending::eof) << silent.failure();
  auto total_ms = ms(clock_type::now() - start);
  std::cout << "[ idle     ] PING after " << ping_ms << " ms, closed after " << total_ms << " ms"
            << std::endl;
  EXPECT_GE(total_ms, 600) << "closed before --idle-timeout";

  auto stopped = server.stop();
  EXPECT_TRUE(stopped.status.exited_with(0)) << stopped.status << '\n' << server.describe();
}

TEST(IdleTimeoutTest, ClientAnsweringEveryPingWithPongStaysConnected) {
  server_process server{{"--idle-interval=200ms", "--idle-timeout=600ms", "--log-level=warn"}};
  ASSERT_TRUE(server.started()) << server.describe();

  raw_client c{server.port()};
  ASSERT_TRUE(c.connected()) << c.failure();
  auto until = clock_type::now() + 2s;
  int pings = 0;
  for (;;) {
    auto left = ms(until - clock_type::now());
    if (left <= 0) break;
    auto f = c.read_frame(milliseconds{left});
    if (!f) {
      ASSERT_FALSE(c.peer_closed()) << "closed after " << pings << " PINGs: " << c.failure();
      continue; // the 2 s are over
    }
    ASSERT_EQ(f->type, type::ping) << "expected only PINGs, got " << *f;
    ++pings;
    ASSERT_TRUE(c.send_frame(type::pong, f->payload)) << c.failure();
  }
  EXPECT_GE(pings, 2) << "the server should have probed a client silent but for PONGs";
  // Still connected: a SEND_MSG is echoed (a PING may come first; it is answered).
  ASSERT_TRUE(c.send_frame(type::send_msg, "still here")) << c.failure();
  auto f = c.read_frame();
  while (f && f->type == type::ping) {
    c.send_frame(type::pong, f->payload);
    f = c.read_frame();
  }
  ASSERT_TRUE(f) << c.failure();
  EXPECT_EQ(*f, (frame{type::send_msg, "Echo: still here"}));
  std::cout << "[ idle     ] " << pings << " PINGs answered in 2 s" << std::endl;

  auto stopped = server.stop();
  EXPECT_TRUE(stopped.status.exited_with(0)) << stopped.status << '\n' << server.describe();
}

// -- server full ------------------------------------------------------------------------------

// The next frame is ERROR "server full", then the server closes (FIN, or RST if it had not read
// what we sent).
testing::AssertionResult refused_as_full(raw_client& c) {
  auto result = next_frame_is(c, {type::error, "server full"});
  if (!result) return result;
  auto how = c.wait_closed();
  if (how != raw_client::ending::eof && how != raw_client::ending::reset)
    return testing::AssertionFailure() << "not closed after 'server full': " << c.failure();
  return testing::AssertionSuccess();
}

TEST(ServerFullTest, SixthIsRefusedAndASlotFreedByACloseIsReused) {
  server_process server{{"--max-connections=5", "--log-level=warn"}};
  ASSERT_TRUE(server.started()) << server.describe();

  std::vector<std::unique_ptr<raw_client>> members;
  for (int i = 0; i < 5; ++i) {
    members.push_back(std::make_unique<raw_client>(server.port()));
    ASSERT_TRUE(log_in(*members.back(), "member" + std::to_string(i)));
  }
  {
    raw_client sixth{server.port()};
    ASSERT_TRUE(sixth.connected()) << sixth.failure(); // accepted by the kernel, then refused
    EXPECT_TRUE(next_frame_is(sixth, {type::error, "server full"}));
    EXPECT_EQ(sixth.wait_closed(), raw_client::ending::eof) << sixth.failure();
  }

  members.front()->close(); // the server learns of it asynchronously: retry for up to 2 s
  auto deadline = clock_type::now() + 2s;
  int attempts = 0;
  bool admitted = false;
  std::unique_ptr<raw_client> newcomer;
  while (!admitted && clock_type::now() < deadline) {
    ++attempts;
    newcomer = std::make_unique<raw_client>(server.port());
    ASSERT_TRUE(newcomer->connected()) << newcomer->failure();
    ASSERT_TRUE(newcomer->send_frame(type::login, "newcomer")) << newcomer->failure();
    auto reply = newcomer->read_frame();
    ASSERT_TRUE(reply) << newcomer->failure();
    if (*reply == frame{type::login, "Login OK"}) {
      admitted = true;
    } else {
      ASSERT_EQ(*reply, (frame{type::error, "server full"}));
      std::this_thread::sleep_for(50ms);
    }
  }
  EXPECT_TRUE(admitted) << "no slot 2 s after a member closed (" << attempts << " attempts)";

  // Five again: the count is exact, the freed slot was taken once.
  raw_client seventh{server.port()};
  ASSERT_TRUE(seventh.connected()) << seventh.failure();
  EXPECT_TRUE(refused_as_full(seventh));
  // The members are still served.
  ASSERT_TRUE(members.back()->send_frame(type::send_msg, "ok?"));
  EXPECT_TRUE(next_frame_is(*members.back(), {type::send_msg, "Echo: ok?"}));

  auto stopped = server.stop();
  EXPECT_TRUE(stopped.status.exited_with(0)) << stopped.status << '\n' << server.describe();
}

// -- rate limit -------------------------------------------------------------------------------

// Past the allowance nothing is refused: the server reads the flooder more slowly, and each
// line goes out when its token is there, in order.
void expect_all_delivered_at_the_rate(const std::vector<std::string>& server_args, int lines,
                                      int burst, double rate) {
  server_process server{server_args};
  ASSERT_TRUE(server.started()) << server.describe();
  raw_client flooder{server.port()};
  ASSERT_TRUE(log_in(flooder, "flooder"));
  raw_client observer{server.port()};
  ASSERT_TRUE(log_in(observer, "observer"));

  std::string pasted; // all lines at once, as a paste into a terminal sends them
  for (int i = 0; i < lines; ++i)
    pasted += encode(type::broadcast_msg, "line " + std::to_string(i));
  auto start = clock_type::now();
  ASSERT_TRUE(flooder.send_bytes(pasted)) << flooder.failure();
  // A token every 1/rate s: the last line cannot come before (lines - burst) / rate s.
  auto at_the_rate = milliseconds(static_cast<int64_t>((lines - burst) / rate * 1000));
  for (int i = 0; i < lines; ++i) {
    auto text = "flooder: line " + std::to_string(i);
    ASSERT_TRUE(next_frame_is(observer, {type::broadcast_msg, text}, at_the_rate + 5s))
        << "line " << i;
    ASSERT_TRUE(next_frame_is(flooder, {type::broadcast_msg, text}, 5s)) << "line " << i;
  }
  auto took = std::chrono::duration_cast<milliseconds>(clock_type::now() - start);
  EXPECT_GE(took, at_the_rate - 100ms) << "faster than the allowance";
  EXPECT_LT(took, at_the_rate + 3s) << "slower than the allowance";

  // The flooder is served as usual afterwards.
  ASSERT_TRUE(flooder.send_frame(type::send_msg, "still here"));
  EXPECT_TRUE(next_frame_is(flooder, {type::send_msg, "Echo: still here"}));
  auto stopped = server.stop();
  EXPECT_TRUE(stopped.status.exited_with(0)) << stopped.status << '\n' << server.describe();
}

TEST(RateLimitTest, ABurstOfTwentyIsAllDeliveredInOrderAtTheAllowedRate) {
  expect_all_delivered_at_the_rate(
      {"--max-broadcast-rate=5", "--broadcast-burst=5", "--log-level=warn"}, 20, 5, 5);
}

// The case as a user meets it: 200 lines pasted at once, every option at its default
// (10 messages/s, a burst of 20): about 18 s.
TEST(RateLimitTest, TwoHundredLinesPastedAtTheDefaultsAreAllDelivered) {
  expect_all_delivered_at_the_rate({"--log-level=warn"}, 200, 20, 10);
}

TEST(RateLimitTest, AFlooderThatStaysBehindIsCutWithExcessFlood) {
  server_process server{
      {"--max-broadcast-rate=20", "--broadcast-burst=1", "--flood-timeout=1s", "--log-level=warn"}};
  ASSERT_TRUE(server.started()) << server.describe();
  raw_client flooder{server.port()};
  ASSERT_TRUE(log_in(flooder, "flooder"));
  raw_client observer{server.port()};
  ASSERT_TRUE(log_in(observer, "observer"));
  std::string pasted; // five seconds' worth at 20/s
  for (int i = 0; i < 100; ++i)
    pasted += encode(type::broadcast_msg, "f" + std::to_string(i));
  auto start = clock_type::now();
  ASSERT_TRUE(flooder.send_bytes(pasted)) << flooder.failure();
  int delivered = 0;
  bool cut = false;
  while (auto f = flooder.read_frame(5s)) {
    if (f->type == type::broadcast_msg) {
      ++delivered;
      continue;
    }
    EXPECT_EQ(*f, (frame{type::error, "excess flood"}));
    cut = true;
    break;
  }
  ASSERT_TRUE(cut) << "after " << delivered << " lines: " << flooder.failure();
  // Lines handled before the cut may still come back through the lobby after the ERROR (the
  // ERROR goes straight out, a broadcast by way of its channel): read past them to the close.
  auto ending = flooder.drain(5s);
  EXPECT_TRUE(ending == raw_client::ending::eof || ending == raw_client::ending::reset)
      << "the server closes the flooder's connection";
  auto took = std::chrono::duration_cast<milliseconds>(clock_type::now() - start);
  EXPECT_GE(took, 900ms) << "cut before --flood-timeout";
  EXPECT_LT(took, 4s);
  EXPECT_GE(delivered, 15) << "a second behind at 20/s";
  EXPECT_LT(delivered, 100);
  // The others are served as before.
  ASSERT_TRUE(observer.send_frame(type::broadcast_msg, "calm"));
  for (;;) { // the flooder's lines that went out come first
    auto f = observer.read_frame(5s);
    ASSERT_TRUE(f) << observer.failure();
    if (*f == frame{type::broadcast_msg, "observer: calm"}) break;
    ASSERT_EQ(f->type, type::broadcast_msg);
  }
  auto stopped = server.stop();
  EXPECT_TRUE(stopped.status.exited_with(0)) << stopped.status << '\n' << server.describe();
}

// -- graceful shutdown ------------------------------------------------------------------------

// True once a connect to `port` is refused, trying for up to `timeout`.
bool connects_refused(uint16_t port, milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  for (;;) {
    raw_client probe{port};
    if (!probe.connected()) return true;
    if (clock_type::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

TEST(ShutdownTest, HundredMembersEachGetServerShuttingDownThenEof) {
  constexpr int members = 100;
  constexpr auto shutdown_timeout = 3s;
  server_process server{{"--shutdown-timeout=3s", "--log-level=warn"}};
  ASSERT_TRUE(server.started()) << server.describe();
  std::vector<std::unique_ptr<raw_client>> clients;
  for (int i = 0; i < members; ++i) {
    clients.push_back(std::make_unique<raw_client>(server.port()));
    ASSERT_TRUE(log_in(*clients.back(), "m" + std::to_string(i)));
  }

  auto start = clock_type::now();
  server.child().send_signal(SIGTERM);
  int told = 0, closed = 0;
  for (int i = 0; i < members; ++i) {
    auto& c = *clients[i];
    bool ok = next_frame_is(c, {type::error, "server shutting down"});
    EXPECT_TRUE(ok) << "m" << i << ": " << c.failure();
    told += ok ? 1 : 0;
    auto how = c.wait_closed();
    EXPECT_EQ(how, raw_client::ending::eof) << "m" << i << ": " << c.failure();
    closed += how == raw_client::ending::eof ? 1 : 0;
    if (i == 0) { // the listener closed before the first farewell went out
      EXPECT_TRUE(connects_refused(server.port(), 2s)) << "still accepting after SIGTERM";
    }
  }
  auto status = server.child().wait(exit_timeout);
  auto exit_ms = ms(clock_type::now() - start);
  std::cout << "[ shutdown ] " << told << " of " << members << " told, " << closed
            << " closed; exit " << status << " " << exit_ms << " ms after SIGTERM" << std::endl;
  EXPECT_TRUE(status.exited_with(0)) << status << '\n' << server.describe();
  EXPECT_LT(exit_ms, ms(shutdown_timeout + 2s));
  // Every member read its farewell: nobody had to be cut off at the timeout.
  EXPECT_EQ(server.stderr_text().find("shutdown timeout"), std::string::npos)
      << server.stderr_text();
}

TEST(ShutdownTest, MemberThatNeverReadsDoesNotHoldUpTheExitPastTheTimeout) {
  constexpr int broadcasts = 10000; // ~10 MB owed to the non-reader: more than kernel buffers
  constexpr std::size_t text_size = 1000;
  server_process server{{"--shutdown-timeout=1s", "--max-outbound-bytes=67108864",
                         "--max-broadcast-rate=0", "--log-level=warn"}};
  ASSERT_TRUE(server.started()) << server.describe();
  raw_client sloth{server.port(), client_options{4096}};
  ASSERT_TRUE(log_in(sloth, "sloth"));
  raw_client talker{server.port()};
  ASSERT_TRUE(log_in(talker, "talker"));

  // The server reads on while its answers to us queue up, so sending all first cannot deadlock.
  std::string burst;
  for (int i = 0; i < broadcasts; ++i)
    burst += encode(type::broadcast_msg, std::string(text_size, 'x'));
  ASSERT_TRUE(talker.send_bytes(burst, 20s)) << talker.failure();
  for (int i = 0; i < broadcasts; ++i) {
    auto f = talker.read_frame();
    ASSERT_TRUE(f) << "broadcast " << i << ": " << talker.failure();
    ASSERT_EQ(f->type, type::broadcast_msg) << *f;
  }
  std::this_thread::sleep_for(100ms); // the non-reader's session has queued its copies too

  auto start = clock_type::now();
  server.child().send_signal(SIGTERM);
  EXPECT_TRUE(next_frame_is(talker, {type::error, "server shutting down"}));
  EXPECT_EQ(talker.wait_closed(), raw_client::ending::eof) << talker.failure();
  auto status = server.child().wait(exit_timeout);
  auto exit_ms = ms(clock_type::now() - start);
  std::cout << "[ shutdown ] with a non-reader owed ~" << broadcasts * text_size / 1000000
            << " MB: exit " << status << " " << exit_ms << " ms after SIGTERM (bound 1 s + 2 s)"
            << std::endl;
  EXPECT_TRUE(status.exited_with(0)) << status << '\n' << server.describe();
  EXPECT_LT(exit_ms, 3000);
  // The path under test: the timeout cut the non-reader off (its queue could not drain).
  EXPECT_NE(server.stderr_text().find("shutdown timeout"), std::string::npos)
      << server.stderr_text();
}

} // namespace
