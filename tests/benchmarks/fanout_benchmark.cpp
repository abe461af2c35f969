// fanout_benchmark.cpp -- Google Benchmark: the actor path of a broadcast, end to end without
// sockets: one session receives BROADCAST_MSG frames, the lobby channel fans each out, every member
// session hands its batch to an in-memory connection that only counts frames.
#include "actors/directory.hpp"
#include "actors/roster.hpp"
#include "actors/session.hpp"
#include "messages/type_ids.hpp"

#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace {

// Counts frames handed to it; wakes the benchmark when the expected number has arrived.
class counting_connection : public chat::transport::connection {
public:
  explicit counting_connection(std::atomic<uint64_t>& total) : total_(total) {}
  void send(chat::frame) override { total_.fetch_add(1, std::memory_order_relaxed); }
  void send(const chat::frame_batch& b) override {
    total_.fetch_add(chat::frames(b).size(), std::memory_order_relaxed);
  }
  void close() override {}
  void frame_done() override {}
  std::string peer() const override { return "memory"; }
  traffic counters() const override { return {}; }

private:
  std::atomic<uint64_t>& total_;
};

// range(0): members; range(1): broadcasts sent before waiting for their deliveries. With 1, every
// broadcast is its own batch (the quiet-room case); with 1000 they share batches (a busy room).
void channel_fanout(benchmark::State& state) {
  auto members = static_cast<int>(state.range(0));
  auto burst = static_cast<int>(state.range(1));
  constexpr int broadcasts = 1000;
  caf::actor_system_config cfg;
  cfg.add_message_types<caf::id_block::chat>();
  caf::actor_system sys{cfg};
  std::atomic<uint64_t> delivered{0};
  auto roster = sys.spawn(chat::roster);
  auto directory = sys.spawn(chat::directory, chat::directory_options{});
  chat::session_limits unlimited;
  unlimited.max_broadcast_rate = 0;
  std::vector<chat::session_actor> sessions;
  for (int i = 0; i < members; ++i) {
    auto s = sys.spawn(chat::session, roster, directory,
                       std::make_shared<counting_connection>(delivered),
                       std::make_shared<const chat::session_limits>(unlimited));
    caf::anon_send(s, chat::received_atom_v, chat::inbound_frame{1, "m" + std::to_string(i)});
    sessions.push_back(s);
  }
  while (delivered.load() < static_cast<uint64_t>(members)) // every "Login OK"
    std::this_thread::yield();
  for (auto _ : state) {
    for (int sent = 0; sent < broadcasts; sent += burst) {
      auto target = delivered.load() + static_cast<uint64_t>(burst) * members;
      for (int i = 0; i < burst; ++i)
        caf::anon_send(sessions[0], chat::received_atom_v, chat::inbound_frame{3, "hello"});
      while (delivered.load(std::memory_order_relaxed) < target)
        std::this_thread::yield();
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * broadcasts * members);
  state.counters["deliveries/s"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * broadcasts * members, benchmark::Counter::kIsRate);
  for (auto& s : sessions)
    caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(roster, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(directory, caf::exit_reason::user_shutdown);
}
BENCHMARK(channel_fanout)
    ->Args({10, 1})
    ->Args({100, 1})
    ->Args({1000, 1})
    ->Args({100, 1000})
    ->Args({1000, 1000})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

} // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn); // no login line per member
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
