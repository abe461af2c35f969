#include "messages/counters.hpp"

#include <memory>
#include <mutex>
#include <vector>

namespace chat::counters {

namespace {

struct registry {
  std::mutex mutex;
  std::vector<std::unique_ptr<detail::block>> blocks;
};

registry& all() {
  static auto* r = new registry; // never destroyed: threads may count during static teardown
  return *r;
}

template <class F> void each_block(F f) {
  auto& r = all();
  std::lock_guard<std::mutex> lock{r.mutex};
  for (auto& b : r.blocks)
    f(*b);
}

} // namespace

detail::block& detail::this_thread_block() {
  thread_local block* mine = [] {
    auto& r = all();
    std::lock_guard<std::mutex> lock{r.mutex};
    r.blocks.push_back(std::make_unique<block>());
    return r.blocks.back().get();
  }();
  return *mine;
}

uint64_t sum(total t) {
  uint64_t n = 0;
  each_block([&](detail::block& b) {
    n += b.totals[static_cast<std::size_t>(t)].load(std::memory_order_relaxed);
  });
  return n;
}

std::array<uint64_t, 256> sum_frames_in() {
  std::array<uint64_t, 256> n{};
  each_block([&](detail::block& b) {
    for (std::size_t i = 0; i < n.size(); ++i)
      n[i] += b.frames_in[i].load(std::memory_order_relaxed);
  });
  return n;
}

std::array<uint64_t, 256> sum_frames_out() {
  std::array<uint64_t, 256> n{};
  each_block([&](detail::block& b) {
    for (std::size_t i = 0; i < n.size(); ++i)
      n[i] += b.frames_out[i].load(std::memory_order_relaxed);
  });
  return n;
}

} // namespace chat::counters
