// churn_test.cpp -- 2,000 connect/login/disconnect cycles against one chat-server, ended every
// way a client can end: orderly close, half-close, abrupt close right after LOGIN, close in the
// middle of a frame, RST. Afterwards the server holds as many descriptors as before the churn,
// its memory is back within a small bound of where it was after a warm-up, and the names used
// in the churn are free again.
#include "tests/process/reliability_support.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace chat::reliability;

constexpr int warm_up_cycles = 200;
constexpr int churn_cycles = 2000;
constexpr int in_flight = 50;                // sockets open at once, one per worker thread
constexpr long rss_bound_kib = 8 * 1024;     // growth allowed from warm-up to the end
constexpr milliseconds settle_timeout = 10s; // for the socket count to come back
constexpr milliseconds name_free_timeout = 2s;

// How cycle i ends (i % 8).
enum class ending : int {
  orderly_after_login_ok,      // Login OK, then close
  abrupt_after_login_sent,     // LOGIN sent, closed at once without waiting for the answer
  mid_frame_in_login,          // part of the LOGIN frame (1..len-1 bytes), then close
  reset_after_login_ok,        // Login OK, then RST (SO_LINGER {1, 0})
  half_close_after_login_ok,   // Login OK, then shutdown(SHUT_WR): the server closes its side
  reset_after_login_sent,      // LOGIN sent, RST at once
  mid_frame_after_login_ok,    // Login OK, half a BROADCAST frame, close
  reset_mid_frame_after_login, // Login OK, half a BROADCAST frame, RST
};
constexpr int ending_count = 8;

std::string cycle_name(const std::string& prefix, int i) {
  return prefix + std::to_string(i);
}

// One connection's life; returns an empty string or what went wrong.
std::string run_cycle(uint16_t port, const std::string& name, int i) {
  auto how = static_cast<ending>(i % ending_count);
  raw_client c{port};
  if (!c.connected()) return name + ": " + c.failure();
  auto login_frame = encode(type::login, name);
  auto wait_login_ok = [&]() -> std::string {
    if (!c.send_bytes(login_frame)) return name + ": " + c.failure();
    auto reply = c.read_frame();
    if (!reply) return name + ": no Login OK: " + c.failure();
    if (*reply != frame{type::login, "Login OK"}) {
      std::ostringstream out;
      out << name << ": expected Login OK, got " << *reply;
      return out.str();
    }
    return {};
  };
  auto half_broadcast = [&] {
    auto bytes = encode(type::broadcast_msg, "this frame is never finished");
    return bytes.substr(0, 1 + static_cast<std::size_t>(i / ending_count) % (bytes.size() - 1));
  };
  std::string problem;
  switch (how) {
  case ending::orderly_after_login_ok:
    problem = wait_login_ok();
    break;
  case ending::abrupt_after_login_sent:
    if (!c.send_bytes(login_frame)) problem = name + ": " + c.failure();
    break;
  case ending::mid_frame_in_login: {
    auto cut = 1 + static_cast<std::size_t>(i / ending_count) % (login_frame.size() - 1);
    if (!c.send_bytes(login_frame.substr(0, cut))) problem = name + ": " + c.failure();
    break;
  }
  case ending::reset_after_login_ok:
    problem = wait_login_ok();
    c.set_reset_on_close();
    break;
  case ending::half_close_after_login_ok:
    problem = wait_login_ok();
    if (problem.empty()) {
      ::shutdown(c.fd(), SHUT_WR);
      auto closed = c.wait_closed();
      if (closed != raw_client::ending::eof && closed != raw_client::ending::reset)
        problem = name + ": the server did not close after our FIN: " + c.failure();
    }
    break;
  case ending::reset_after_login_sent:
    if (!c.send_bytes(login_frame)) problem = name + ": " + c.failure();
    c.set_reset_on_close();
    break;
  case ending::mid_frame_after_login_ok:
    problem = wait_login_ok();
    if (problem.empty() && !c.send_bytes(half_broadcast())) problem = name + ": " + c.failure();
    break;
  case ending::reset_mid_frame_after_login:
    problem = wait_login_ok();
    if (problem.empty() && !c.send_bytes(half_broadcast())) problem = name + ": " + c.failure();
    c.set_reset_on_close();
    break;
  }
  c.close();
  return problem;
}

struct churn_result {
  int failures = 0;
  std::vector<std::string> first_failures; // up to 10
};

// `cycles` cycles named prefix0, prefix1, ..., at most `in_flight` at once.
churn_result churn(uint16_t port, const std::string& prefix, int cycles) {
  std::atomic<int> next{0};
  std::mutex mutex;
  churn_result result;
  std::vector<std::thread> workers;
  for (int w = 0; w < in_flight; ++w)
    workers.emplace_back([&] {
      for (int i = next++; i < cycles; i = next++) {
        auto problem = run_cycle(port, cycle_name(prefix, i), i);
        if (problem.empty()) continue;
        std::lock_guard<std::mutex> guard{mutex};
        ++result.failures;
        if (result.first_failures.size() < 10) result.first_failures.push_back(problem);
      }
    });
  for (auto& t : workers)
    t.join();
  return result;
}

// Waits until the server has `expected` sockets open; returns the last count seen.
std::size_t settle_sockets(pid_t pid, std::size_t expected) {
  auto deadline = clock_type::now() + settle_timeout;
  std::size_t count = 0;
  for (;;) {
    count = open_socket_count(pid).value_or(0);
    if (count == expected || clock_type::now() >= deadline) return count;
    std::this_thread::sleep_for(20ms);
  }
}

std::string describe(const churn_result& r) {
  std::string out = std::to_string(r.failures) + " failed cycles";
  for (auto& f : r.first_failures)
    out += "\n  " + f;
  return out;
}

// Logs in as `name`, retrying while the server still holds it for a connection that is gone (the
// room learns of a close asynchronously).
testing::AssertionResult name_is_free_again(uint16_t port, const std::string& name) {
  auto deadline = clock_type::now() + name_free_timeout;
  std::string last;
  for (;;) {
    raw_client c{port};
    if (!c.connected()) return testing::AssertionFailure() << name << ": " << c.failure();
    c.send_frame(type::login, name);
    auto reply = c.read_frame();
    if (reply && *reply == frame{type::login, "Login OK"}) return testing::AssertionSuccess();
    std::ostringstream what;
    if (reply)
      what << *reply;
    else
      what << c.failure();
    last = what.str();
    if (!reply || *reply != frame{type::login, "Login failed: name taken"} ||
        clock_type::now() >= deadline)
      return testing::AssertionFailure() << "logging in as " << name << " again: " << last;
    std::this_thread::sleep_for(50ms);
  }
}

TEST(ChurnTest, TwoThousandCyclesLeaveNoDescriptorsNamesOrMemoryBehind) {
  server_process server{{"--log-level=warn"}};
  ASSERT_TRUE(server.started()) << server.describe();
  auto pid = server.pid();
  // Sockets, not all descriptors: a sanitizer runtime opens and closes files of its own.
  auto baseline = open_socket_count(pid);
  ASSERT_TRUE(baseline) << "cannot read /proc/" << pid << "/fd";
  auto fds_before = open_fd_count(pid).value_or(0);

  auto warm = churn(server.port(), "w", warm_up_cycles);
  EXPECT_EQ(warm.failures, 0) << describe(warm);
  EXPECT_EQ(settle_sockets(pid, *baseline), *baseline) << "sockets open after the warm-up";
  std::this_thread::sleep_for(200ms); // let the last sessions' actors finish
  auto rss_warm = status_kib(pid, "VmRSS");
  ASSERT_TRUE(rss_warm);

  auto start = clock_type::now();
  auto main = churn(server.port(), "c", churn_cycles);
  auto churn_ms = ms(clock_type::now() - start);
  EXPECT_EQ(main.failures, 0) << describe(main);
  auto after = settle_sockets(pid, *baseline);
  EXPECT_EQ(after, *baseline) << "sockets still open 10 s after the churn";
  auto fds_after = open_fd_count(pid).value_or(0);
  std::this_thread::sleep_for(200ms);
  auto rss_after = status_kib(pid, "VmRSS");
  ASSERT_TRUE(rss_after);
  auto hwm = status_kib(pid, "VmHWM").value_or(-1);

  std::cout << "[ churn    ] " << churn_cycles << " cycles in " << churn_ms << " ms, " << in_flight
            << " in flight; server sockets: baseline " << *baseline << ", after " << after
            << " (all descriptors: " << fds_before << ", after " << fds_after << ")\n"
            << "[ churn    ] server VmRSS after " << warm_up_cycles
            << " warm-up cycles: " << *rss_warm << " KiB; after " << churn_cycles
            << " more: " << *rss_after << " KiB (growth " << (*rss_after - *rss_warm)
            << " KiB, bound " << rss_bound_kib << " KiB); VmHWM " << hwm << " KiB" << std::endl;
  if (sanitized_build)
    std::cout << "[ churn    ] sanitizer build: the memory bound is not checked" << std::endl;
  else
    EXPECT_LE(*rss_after, *rss_warm + rss_bound_kib);

  // Names from every kind of ending are free again.
  for (int i = 0; i < ending_count; ++i)
    EXPECT_TRUE(name_is_free_again(server.port(), cycle_name("c", churn_cycles - 1 - i)));
  EXPECT_TRUE(process_alive(pid));

  auto stopped = server.stop();
  EXPECT_TRUE(stopped.status.exited_with(0)) << stopped.status << '\n' << server.describe();
}

} // namespace
