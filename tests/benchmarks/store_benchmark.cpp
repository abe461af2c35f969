// store_benchmark.cpp -- what the history store costs (BENCHMARKS.md "History"): messages a
// channel appends per second with LMDB underneath (the journal's thread writing them), and
// the time to load a channel's history when it is first joined.
#include "store/history_store.hpp"

#include "tests/support/scratch_dir.hpp"

#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using chat::history_entry;
using chat::store::history_store;

std::shared_ptr<history_store> open_store(const std::string& dir) {
  return std::get<std::shared_ptr<history_store>>(history_store::open(dir, {}));
}

// 1,000 messages of 64 bytes appended to one channel in batches of `batch` (a channel appends
// one batch per delivery), then waited for until all are on disk: items/s is messages written
// per second, the journal's thread batching what came in meanwhile.
void BM_StoreWrites(benchmark::State& state) {
  chat::test::scratch_dir dir;
  auto store = open_store(dir.path);
  auto log = store->stream("bench");
  auto batch = static_cast<std::size_t>(state.range(0));
  std::string text(64, 'x');
  constexpr std::size_t per_iteration = 1000;
  for (auto _ : state) {
    for (std::size_t done = 0; done < per_iteration; done += batch) {
      std::vector<history_entry> entries;
      auto next = log->next_offset();
      for (std::size_t i = 0; i < batch; ++i)
        entries.push_back({next + i, chat::store::wall_clock_ms(), "sender", text});
      log->append(std::move(entries), chat::store::wall_clock_ms());
    }
    store->sync();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * per_iteration));
}
BENCHMARK(BM_StoreWrites)->Arg(1)->Arg(16)->Arg(256)->UseRealTime();

// A store of `state.range(0)` messages over 100 channels, closed, then opened again and one
// channel loaded (what a restart and the first JOIN of a channel cost).
void BM_StoreReopenAndLoad(benchmark::State& state) {
  chat::test::scratch_dir dir;
  auto total = state.range(0);
  {
    auto store = open_store(dir.path);
    std::string text(64, 'x');
    for (int c = 0; c < 100; ++c) {
      auto log = store->stream("c" + std::to_string(c));
      for (int64_t done = 0; done < total / 100;) {
        std::vector<history_entry> entries;
        for (int i = 0; i < 1000 && done < total / 100; ++i, ++done)
          entries.push_back({log->next_offset() + static_cast<uint64_t>(i),
                             chat::store::wall_clock_ms(), "sender", text});
        log->append(std::move(entries), chat::store::wall_clock_ms());
      }
    }
    store->close();
  }
  for (auto _ : state) {
    auto store = open_store(dir.path);
    auto log = store->stream("c7");
    benchmark::DoNotOptimize(log->kept());
    store->close();
  }
}
BENCHMARK(BM_StoreReopenAndLoad)->Arg(10'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
