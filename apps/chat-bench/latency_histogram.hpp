// latency_histogram.hpp -- delivery latencies in log-linear buckets (HdrHistogram's layout).
// One per I/O thread, written only by that thread; the main thread sums them for the progress
// line and the report. Fixed size: recording never allocates.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace chat::bench {

// Values below 2 * sub_buckets nanoseconds have a bucket each; above that every power of two
// is cut into sub_buckets buckets, so a bucket is at most 1/128 (0.8 %) of its value wide.
inline constexpr int sub_bucket_bits = 7;
inline constexpr uint64_t sub_buckets = uint64_t{1} << sub_bucket_bits;
inline constexpr int max_value_bits = 44; // ~4.9 hours in ns; longer is recorded as that
inline constexpr std::size_t latency_buckets =
    (max_value_bits - 1 - sub_bucket_bits) * sub_buckets + 2 * sub_buckets;

std::size_t latency_bucket(uint64_t ns);
uint64_t bucket_highest_ns(std::size_t bucket); // the largest value the bucket holds

// A plain sum of histograms, owned by one thread.
struct latency_summary {
  std::vector<uint64_t> counts = std::vector<uint64_t>(latency_buckets);
  uint64_t total = 0;
  uint64_t max_ns = 0;

  // The value at quantile q (0..1], as the highest value of its bucket (capped by max_ns);
  // 0 when nothing was recorded.
  uint64_t quantile_ns(double q) const;
};

// Single writer. Counters are relaxed atomics written as load + store (no read-modify-write:
// there is only one writer), so readers on other threads see a consistent-enough view.
class latency_histogram {
public:
  void record(uint64_t ns) {
    auto& c = counts_[latency_bucket(ns)];
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (ns > max_ns_.load(std::memory_order_relaxed)) max_ns_.store(ns, std::memory_order_relaxed);
  }

  // Any thread.
  void add_to(latency_summary& out) const;

private:
  std::array<std::atomic<uint64_t>, latency_buckets> counts_{};
  std::atomic<uint64_t> max_ns_{0};
};

} // namespace chat::bench
