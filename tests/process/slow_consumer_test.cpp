// slow_consumer_test.cpp -- one member stops reading while 20 others broadcast ~10 MB each way:
// the server cuts the slow one off (--max-outbound-bytes) with ERROR "slow consumer", every
// other member receives every broadcast in order, and the server's peak memory stays under a
// stated bound.
#include "tests/process/reliability_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace chat::reliability;

constexpr int senders = 20;
constexpr int messages_per_sender = 500;
constexpr int total_broadcasts = senders * messages_per_sender;
constexpr std::size_t text_size = 1000; // ~1 KB per broadcast: ~10 MB owed to every member
// The default bound: a reader that keeps up may still fall a few hundred ms behind in a sanitizer
// build on two cores, and the non-reader is owed ten times this.
constexpr long max_outbound_bytes = 1048576;
constexpr long peak_rss_bound_kib = 150 * 1024;
constexpr milliseconds traffic_timeout = 40s;

std::string sender_name(int k) {
  return "r" + std::to_string(k);
}

// "<5-digit seq> " and filler up to text_size bytes.
std::string broadcast_text(int k, int seq) {
  auto text = std::to_string(100000 + seq).substr(1) + ' ';
  text.append(text_size - text.size(), static_cast<char>('a' + k % 26));
  return text;
}

// The server's "close ..." log lines, for a failure message.
std::string close_lines(const std::string& log) {
  std::istringstream in{log};
  std::string line, out;
  while (std::getline(in, line))
    if (line.find(" close peer=") != std::string::npos) out += line + '\n';
  return out;
}

// Tracks one member's view: every broadcast comes from a known sender, each sender's sequence
// numbers arrive as 0, 1, 2, ... and the text is intact.
struct broadcast_checker {
  std::vector<int> next_seq = std::vector<int>(senders, 0);
  std::vector<int> order; // sender * messages_per_sender + seq, as received
  std::string problem;    // the first one

  bool take(const frame& f) {
    if (!problem.empty()) return false;
    auto fail = [&](std::string why) {
      std::ostringstream out;
      out << why << " in " << f;
      problem = out.str();
      return false;
    };
    if (f.type != type::broadcast_msg) return fail("not a broadcast");
    auto colon = f.payload.find(": ");
    if (colon == std::string::npos || colon < 2 || f.payload[0] != 'r') return fail("no sender");
    int k = -1;
    auto [end, ec] = std::from_chars(f.payload.data() + 1, f.payload.data() + colon, k);
    if (ec != std::errc{} || end != f.payload.data() + colon || k < 0 || k >= senders)
      return fail("unknown sender");
    auto text = std::string_view{f.payload}.substr(colon + 2);
    int seq = -1;
    std::from_chars(text.data(), text.data() + std::min<std::size_t>(5, text.size()), seq);
    if (seq != next_seq[k])
      return fail("sender " + std::to_string(k) + ": expected #" + std::to_string(next_seq[k]) +
                  ", got #" + std::to_string(seq));
    if (text != broadcast_text(k, seq)) return fail("text changed");
    ++next_seq[k];
    order.push_back(k * messages_per_sender + seq);
    return true;
  }
};

// One sending and reading member, on two threads of its own: the reader only reads (so a
// member that keeps up never leaves data backed up in its receive queue while it is busy
// sending), the writer writes its 500 broadcasts as the socket takes them.
struct member_run {
  raw_client* client = nullptr;
  int k = 0;
  broadcast_checker seen;   // reader thread only
  std::string failure;      // reader thread only
  std::string send_failure; // writer thread only
  long done_ms = -1;

  void read_all(clock_type::time_point start) {
    auto deadline = start + traffic_timeout;
    while (static_cast<int>(seen.order.size()) < total_broadcasts) {
      if (clock_type::now() >= deadline) {
        failure = "timed out";
        break;
      }
      if (!client->wait_readable(100ms)) continue;
      bool open = client->receive_available();
      while (auto f = client->buffered_frame())
        if (!seen.take(*f)) break;
      if (!seen.problem.empty()) {
        failure = seen.problem;
        break;
      }
      if (!open) {
        failure = "the server closed: " + client->failure();
        break;
      }
    }
    done_ms = ms(clock_type::now() - start);
  }

  // Plain send(2) on the descriptor: the raw_client's state belongs to the reader thread.
  void write_all(clock_type::time_point start) {
    std::string out;
    for (int seq = 0; seq < messages_per_sender; ++seq)
      out += encode(type::broadcast_msg, broadcast_text(k, seq));
    send_failure = send_all_raw(client->fd(), out, start + traffic_timeout);
  }
};

TEST(SlowConsumerTest, NonReaderIsCutOffWhileTwentyOthersReceiveEverythingInOrder) {
  server_process server{{"--max-outbound-bytes=" + std::to_string(max_outbound_bytes),
                         "--max-broadcast-rate=0", "--log-level=debug"}};
  ASSERT_TRUE(server.started()) << server.describe();

  raw_client sloth{server.port(), client_options{4096}};
  ASSERT_TRUE(log_in(sloth, "sloth"));
  std::vector<std::unique_ptr<raw_client>> clients;
  for (int k = 0; k < senders; ++k) {
    clients.push_back(std::make_unique<raw_client>(server.port()));
    ASSERT_TRUE(log_in(*clients.back(), sender_name(k)));
  }

  std::vector<member_run> runs(senders);
  std::vector<std::thread> threads;
  auto start = clock_type::now();
  for (int k = 0; k < senders; ++k) {
    runs[k].client = clients[k].get();
    runs[k].k = k;
    threads.emplace_back([&run = runs[k], start] { run.read_all(start); });
    threads.emplace_back([&run = runs[k], start] { run.write_all(start); });
  }
  for (auto& t : threads)
    t.join();
  auto traffic_ms = ms(clock_type::now() - start);

  // Every reader got all 10,000. One summary rather than 20 copies of the same failure.
  std::string incomplete;
  int incomplete_count = 0;
  for (auto& run : runs) {
    if (run.failure.empty() && run.send_failure.empty() &&
        run.seen.order.size() == static_cast<std::size_t>(total_broadcasts))
      continue;
    ++incomplete_count;
    incomplete += "\n  " + sender_name(run.k) + ": " + std::to_string(run.seen.order.size()) +
                  " broadcasts, then " + (run.failure.empty() ? "nothing" : run.failure) +
                  (run.send_failure.empty() ? "" : "; sending: " + run.send_failure);
  }
  EXPECT_EQ(incomplete_count, 0) << "readers that did not receive all " << total_broadcasts
                                 << " broadcasts:" << incomplete << "\nthe server's close lines:\n"
                                 << close_lines(server.stderr_text());
  // PROTOCOL.md: every member sees broadcasts in the order the room accepted them.
  for (int k = 1; k < senders; ++k) {
    auto n = std::min(runs[k].seen.order.size(), runs[0].seen.order.size());
    EXPECT_TRUE(std::equal(runs[k].seen.order.begin(), runs[k].seen.order.begin() + n,
                           runs[0].seen.order.begin()))
        << sender_name(k) << " saw another order than " << sender_name(0);
  }

  // The non-reader was cut off: the server says so, and its socket ends once drained. What it got
  // before that is still a gap-free, in-order prefix of every sender's broadcasts, and then
  // ERROR "slow consumer", the last frame.
  EXPECT_TRUE(server.wait_for_log("reason=\"slow consumer", io_timeout)) << server.stderr_text();
  auto ended = sloth.drain(10s);
  EXPECT_TRUE(ended == raw_client::ending::eof || ended == raw_client::ending::reset)
      << "the non-reader's connection is still open: " << sloth.failure();
  broadcast_checker sloth_seen;
  std::optional<frame> last;
  while (auto f = sloth.buffered_frame()) {
    if (last) sloth_seen.take(*last);
    last = f;
  }
  EXPECT_TRUE(sloth_seen.problem.empty()) << "the non-reader: " << sloth_seen.problem;
  ASSERT_TRUE(last) << "the non-reader got nothing";
  EXPECT_EQ(last->type, type::error) << *last;
  EXPECT_EQ(last->payload, "slow consumer");
  EXPECT_LT(sloth_seen.order.size(), static_cast<std::size_t>(total_broadcasts));

  auto hwm = status_kib(server.pid(), "VmHWM");
  ASSERT_TRUE(hwm);
  std::cout << "[ slow     ] " << senders << " x " << messages_per_sender << " broadcasts of "
            << text_size << " B: " << senders - incomplete_count << " of " << senders
            << " readers received all " << total_broadcasts << "; traffic phase " << traffic_ms
            << " ms; the non-reader got " << sloth_seen.order.size() << " broadcasts ("
            << sloth.bytes_received() << " B) before the cut\n"
            << "[ slow     ] server VmHWM " << *hwm << " KiB (bound " << peak_rss_bound_kib
            << " KiB), VmRSS " << status_kib(server.pid(), "VmRSS").value_or(-1) << " KiB"
            << std::endl;
  if (sanitized_build)
    std::cout << "[ slow     ] sanitizer build: the memory bound is not checked" << std::endl;
  else
    EXPECT_LT(*hwm, peak_rss_bound_kib);
  EXPECT_TRUE(process_alive(server.pid()));
  {
    std::istringstream log{server.stderr_text()};
    std::string line;
    int on = 0, off = 0;
    while (std::getline(log, line)) {
      on += line.find("outbound pressure on") != std::string::npos;
      off += line.find("outbound pressure off") != std::string::npos;
    }
    std::cout << "[ slow     ] pressure on " << on << " off " << off << std::endl;
  }

  clients.clear();
  auto stopped = server.stop();
  EXPECT_TRUE(stopped.status.exited_with(0)) << stopped.status << '\n' << server.describe();
}

} // namespace
