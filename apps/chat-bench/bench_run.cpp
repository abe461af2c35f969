#include "apps/chat-bench/bench_run.hpp"

#include "apps/chat-bench/process_usage.hpp"

#include <algorithm>
#include <cerrno>
#include <iostream>

namespace chat::bench {

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr auto connect_grace = 10s; // after the last paced connect: handshakes and logins
constexpr auto connect_step = 5ms;  // connects are posted in bursts this far apart
constexpr auto pause_step = 50ms;   // the main thread's longest sleep
constexpr auto progress_interval = 1s;
constexpr auto drain_quiet = 500ms; // the drain ends after this long without a frame ...
constexpr auto drain_limit = 5s;    // ... or after this long in any case
constexpr auto close_limit = 2s;    // for the I/O threads to finish after our close

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

timespec to_timespec(std::chrono::steady_clock::duration d) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::max(d, d.zero())).count();
  return timespec{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
}

} // namespace

bench_run::bench_run(const bench_config& cfg, bench_plan plan)
    : cfg_(cfg), plan_(std::move(plan)),
      run_(plan_.channels, plan_.servers.size(), plan_.large_capacity),
      stats_(cfg.io_threads, plan_.channels), ioc_(static_cast<int>(cfg.io_threads)) {
  sigemptyset(&stop_signals_);
  sigaddset(&stop_signals_, SIGINT);
  sigaddset(&stop_signals_, SIGTERM);
  clients_.reserve(plan_.clients);
  for (std::size_t i = 0; i < plan_.clients; ++i) {
    // One thread runs handlers one at a time; with more, each client needs its own strand.
    asio::any_io_executor executor = ioc_.get_executor();
    if (cfg.io_threads > 1) executor = asio::make_strand(ioc_);
    clients_.push_back(std::make_unique<bench_client>(executor, plan_, run_, i));
  }
}

bench_run::~bench_run() {
  stop_threads();
}

bench_result bench_run::run() {
  started_ = last_progress_ = clock::now();
  bench_result result;
  for (auto pid : cfg_.server_pids)
    result.servers.push_back(server_usage{{}, process_rss_kib(static_cast<pid_t>(pid)), {}, {}});
  start_threads();
  connect_all(result);
  if (!interrupted_ && stats_.sum(false)[counter::logged_in] > 0) measure(result);
  result.open_at_end = run_.receivers();
  close_all();
  stop_threads();
  result.totals = stats_.sum();
  result.channels = stats_.sum_channels();
  result.interrupted = interrupted_;
  result.failures = run_.failure_notes();
  result.large = run_.large.summarize();
  result.bench_cpu_total_ns = own_cpu_ns();
  return result;
}

void bench_run::start_threads() {
  work_.emplace(ioc_.get_executor());
  threads_running_ = cfg_.io_threads;
  for (std::size_t i = 0; i < cfg_.io_threads; ++i)
    threads_.emplace_back([this, i] {
      stats_.bind_this_thread(i);
      for (;;) { // handlers do not throw; this reports a bug instead of std::terminate
        try {
          ioc_.run();
          break;
        } catch (const std::exception& e) {
          std::cerr << "chat-bench: I/O handler threw: " << e.what() << '\n';
        }
      }
      --threads_running_;
    });
}

void bench_run::stop_threads() {
  work_.reset();
  auto deadline = clock::now() + close_limit;
  while (threads_running_ > 0 && clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  if (threads_running_ > 0) ioc_.stop(); // abandon what is still pending
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

template <class Action> void bench_run::post_to(bench_client& client, Action action) {
  asio::post(client.executor(), [&client, action] { action(client); });
}

std::vector<std::optional<uint64_t>> bench_run::server_cpu() const {
  std::vector<std::optional<uint64_t>> out;
  for (auto pid : cfg_.server_pids)
    out.push_back(process_cpu_ns(static_cast<pid_t>(pid)));
  return out;
}

void bench_run::connect_all(bench_result& result) {
  auto server_before = server_cpu();
  auto own_before = own_cpu_ns();
  auto start = clock::now();
  auto start_ns = steady_now_ns();
  std::size_t posted = 0;
  while (posted < clients_.size()) {
    auto due = static_cast<std::size_t>(seconds(clock::now() - start) * double(cfg_.connect_rate));
    due = std::min(clients_.size(), due + 1);
    for (; posted < due; ++posted)
      post_to(*clients_[posted], [](bench_client& c) { c.start_connect(); });
    if (posted < clients_.size() && !pause_until(clock::now() + connect_step)) break;
  }
  auto deadline = clock::now() + connect_grace;
  for (;;) {
    auto t = stats_.sum(false);
    // With --channels a client is settled once its JOIN is answered, not at Login OK.
    auto ready = plan_.channels > 0 ? t[counter::joined] : t[counter::logged_in];
    auto resolved = ready + t[counter::connect_failed] + t[counter::handshake_failed] +
                    t[counter::login_failed] + t[counter::join_failed];
    if (resolved >= posted || clock::now() >= deadline) break;
    if (!pause_until(std::min(deadline, clock::now() + pause_step))) break;
  }
  auto& phase = result.connect;
  phase.cpu_interval_s = seconds(clock::now() - start);
  phase.bench_cpu_ns = own_cpu_ns() - own_before;
  auto server_after = server_cpu();
  for (std::size_t k = 0; k < result.servers.size(); ++k)
    if (server_before[k] && server_after[k] && *server_after[k] >= *server_before[k])
      result.servers[k].connect_cpu_ns = *server_after[k] - *server_before[k];
  auto since_start = [start_ns](uint64_t ns) { return ns > start_ns ? (ns - start_ns) / 1e9 : 0; };
  phase.settled_s = since_start(run_.last_settled_ns());
  phase.handshake_s = since_start(run_.last_handshake_ns());
  phase.tls_version = run_.tls_version();
  for (std::size_t i = 0; i < posted; ++i)
    post_to(*clients_[i], [](bench_client& c) { c.give_up(); });
}

void bench_run::measure(bench_result& result) {
  if (!cfg_.connect_only) {
    run_.set_phase(run_phase::warmup);
    for (std::size_t i = 0; i < plan_.senders; ++i)
      post_to(*clients_[i], [](bench_client& c) { c.start_sending(); });
    if (!pause_until(clock::now() + cfg_.warmup)) return;
  }
  auto server_before = server_cpu();
  auto own_before = own_cpu_ns();
  auto start = clock::now();
  run_.set_phase(cfg_.connect_only ? run_phase::holding : run_phase::measuring);
  auto until = start + cfg_.duration;
  while (clock::now() < until && run_.receivers() > 0) // a signal, or losing everyone, ends it
    if (!pause_until(std::min(until, clock::now() + pause_step))) break;
  auto end = clock::now();
  for (std::size_t k = 0; k < result.servers.size(); ++k)
    result.servers[k].rss_kib_end = process_rss_kib(static_cast<pid_t>(cfg_.server_pids[k]));
  if (!cfg_.connect_only) {
    run_.set_phase(run_phase::draining);
    drain();
  }
  result.measured_s = seconds(end - start);
  result.cpu_interval_s = seconds(clock::now() - start);
  result.bench_cpu_ns = own_cpu_ns() - own_before;
  for (std::size_t k = 0; k < result.servers.size(); ++k) {
    auto after = process_cpu_ns(static_cast<pid_t>(cfg_.server_pids[k]));
    if (server_before[k] && after && *after >= *server_before[k])
      result.servers[k].cpu_ns = *after - *server_before[k];
  }
}

// Senders have stopped; waits for what is still on its way (a second signal cuts this short).
void bench_run::drain() {
  auto start = clock::now();
  auto last_change = start;
  auto last = stats_.sum(false)[counter::frames_in];
  for (;;) {
    if (!pause_until(clock::now() + pause_step)) return;
    auto now = clock::now();
    auto seen = stats_.sum(false)[counter::frames_in];
    if (seen != last) {
      last = seen;
      last_change = now;
    }
    if (now - last_change >= drain_quiet || now - start >= drain_limit) return;
  }
}

void bench_run::close_all() {
  run_.set_phase(run_phase::done);
  for (auto& client : clients_)
    post_to(*client, [](bench_client& c) { c.close(); });
}

bool bench_run::pause_until(clock::time_point deadline) {
  for (;;) {
    auto now = clock::now();
    if (now - last_progress_ >= progress_interval) print_progress(now);
    if (now >= deadline) return true;
    auto wait = std::min(
        {deadline - now, clock::duration{pause_step}, last_progress_ + progress_interval - now});
    auto timeout = to_timespec(wait);
    int signal_number = sigtimedwait(&stop_signals_, nullptr, &timeout);
    if (signal_number > 0) {
      std::cerr << "chat-bench: " << strsignal(signal_number) << ": ending the run early\n";
      interrupted_ = true;
      return false;
    }
  }
}

void bench_run::print_progress(clock::time_point now) {
  auto totals = stats_.sum();
  std::cerr << progress_line(seconds(now - started_), run_.phase(), clients_.size(), totals,
                             last_totals_, seconds(now - last_progress_))
            << std::endl;
  last_totals_ = std::move(totals);
  last_progress_ = now;
}

} // namespace chat::bench
