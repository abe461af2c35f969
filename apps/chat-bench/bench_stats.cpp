#include "apps/chat-bench/bench_stats.hpp"

namespace chat::bench {

namespace {

thread_local stats_shard* current_shard = nullptr;

// Anything counted off the I/O threads (there should be nothing) lands here, not in a crash.
stats_shard& stray_shard() {
  thread_local stats_shard shard;
  return shard;
}

} // namespace

bench_stats::bench_stats(std::size_t shards, std::size_t channels) {
  for (std::size_t i = 0; i < shards; ++i)
    shards_.push_back(std::make_unique<stats_shard>(channels));
}

void bench_stats::bind_this_thread(std::size_t shard) {
  current_shard = shards_.at(shard).get();
}

stats_shard& bench_stats::this_thread_shard() {
  return current_shard != nullptr ? *current_shard : stray_shard();
}

stats_totals bench_stats::sum(bool latency) const {
  stats_totals out;
  for (auto& shard : shards_) {
    for (std::size_t i = 0; i < counter_count; ++i)
      out.values[i] += shard->get(static_cast<counter>(i));
    for (std::size_t c = 0; c < node_counter_count; ++c)
      for (std::size_t server = 0; server < max_servers; ++server)
        out.node_values[c][server] += shard->get(static_cast<node_counter>(c), server);
    if (!latency) continue;
    shard->latency.add_to(out.latency);
    for (std::size_t c = 0; c < delivery_class_count; ++c)
      shard->class_latency[c].add_to(out.class_latency[c]);
    shard->ack_latency.add_to(out.ack_latency);
    shard->large_latency.add_to(out.large_latency);
  }
  return out;
}

std::vector<channel_totals> bench_stats::sum_channels() const {
  std::vector<channel_totals> out(shards_.empty() ? 0 : shards_.front()->channels().size());
  for (auto& shard : shards_)
    for (std::size_t c = 0; c < out.size(); ++c)
      out[c].add(shard->channels()[c]);
  return out;
}

} // namespace chat::bench
