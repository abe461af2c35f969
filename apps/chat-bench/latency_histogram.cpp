#include "apps/chat-bench/latency_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace chat::bench {

namespace {

constexpr uint64_t max_value = (uint64_t{1} << max_value_bits) - 1;

} // namespace

std::size_t latency_bucket(uint64_t ns) {
  ns = std::min(ns, max_value);
  if (ns < 2 * sub_buckets) return static_cast<std::size_t>(ns);
  int msb = 63 - __builtin_clzll(ns);
  int shift = msb - sub_bucket_bits; // ns >> shift lies in [sub_buckets, 2 * sub_buckets)
  return static_cast<std::size_t>(static_cast<uint64_t>(shift) * sub_buckets + (ns >> shift));
}

uint64_t bucket_highest_ns(std::size_t bucket) {
  if (bucket < 2 * sub_buckets) return bucket;
  uint64_t shift = bucket / sub_buckets - 1;
  uint64_t unit = bucket - shift * sub_buckets;
  return ((unit + 1) << shift) - 1;
}

uint64_t latency_summary::quantile_ns(double q) const {
  if (total == 0) return 0;
  auto wanted = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total)));
  wanted = std::clamp<uint64_t>(wanted, 1, total);
  uint64_t seen = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    seen += counts[i];
    if (seen >= wanted) return std::min(bucket_highest_ns(i), max_ns);
  }
  return max_ns;
}

void latency_histogram::add_to(latency_summary& out) const {
  for (std::size_t i = 0; i < latency_buckets; ++i) {
    auto n = counts_[i].load(std::memory_order_relaxed);
    out.counts[i] += n;
    out.total += n; // summed here, so it always matches the counts read
  }
  out.max_ns = std::max(out.max_ns, max_ns_.load(std::memory_order_relaxed));
}

} // namespace chat::bench
