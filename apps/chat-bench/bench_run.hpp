// bench_run.hpp -- one benchmark run from start to report: I/O threads, clients, and the phases
//   connect (paced) -> warm-up -> measured interval -> drain -> close      (or connect -> hold)
// Driven by main()'s thread, which only posts to the clients, sleeps, watches for SIGINT/SIGTERM
// and prints the progress line; all socket work runs on the I/O threads.
#pragma once

#include "apps/chat-bench/bench_client.hpp"
#include "apps/chat-bench/bench_config.hpp"
#include "apps/chat-bench/bench_plan.hpp"
#include "apps/chat-bench/bench_report.hpp"
#include "apps/chat-bench/bench_stats.hpp"

#include <boost/asio.hpp>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace chat::bench {

class bench_run {
public:
  // SIGINT and SIGTERM must already be blocked in the calling thread (main() does so before
  // anything starts a thread), so that only this run's sigtimedwait sees them.
  bench_run(const bench_config& cfg, bench_plan plan);
  ~bench_run(); // stops and joins the I/O threads, then destroys the clients

  bench_run(const bench_run&) = delete;
  bench_run& operator=(const bench_run&) = delete;

  bench_result run();

private:
  using clock = std::chrono::steady_clock;

  void start_threads();
  void stop_threads();
  void connect_all(bench_result& result);
  std::vector<std::optional<uint64_t>> server_cpu() const; // per --server-pid, now
  void measure(bench_result& result);
  void drain();
  void close_all();

  // Sleeps until `deadline`, printing progress; false (at once) when a signal asks to stop.
  bool pause_until(clock::time_point deadline);
  void print_progress(clock::time_point now);
  template <class Action> void post_to(bench_client& client, Action action);

  const bench_config& cfg_;
  bench_plan plan_;
  run_state run_;
  bench_stats stats_;
  boost::asio::io_context ioc_; // before the clients: their sockets must go first
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::unique_ptr<bench_client>> clients_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> threads_running_{0};

  sigset_t stop_signals_;
  bool interrupted_ = false;
  clock::time_point started_;
  clock::time_point last_progress_;
  stats_totals last_totals_;
};

} // namespace chat::bench
