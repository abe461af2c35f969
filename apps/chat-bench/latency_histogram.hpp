// latency_histogram.hpp -- delivery latencies in log-linear buckets (HdrHistogram's layout).
// One per I/O thread (and one per channel per I/O thread with --channels), written only by that
// thread; the main thread sums them for the progress line and the report. Fixed size: recording
// never allocates.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace chat::bench {

// Values below 2 * sub_buckets nanoseconds have a bucket each; above that every power of two is
// cut into sub_buckets buckets, so a bucket is at most 1 / sub_buckets of its value wide. Values
// past max_value are recorded as max_value.
template <int SubBits, int MaxBits> struct histogram_layout {
  static constexpr int sub_bucket_bits = SubBits;
  static constexpr uint64_t sub_buckets = uint64_t{1} << SubBits;
  static constexpr std::size_t buckets = (MaxBits - 1 - SubBits) * sub_buckets + 2 * sub_buckets;
  static constexpr uint64_t max_value = (uint64_t{1} << MaxBits) - 1;

  static std::size_t bucket(uint64_t ns) {
    ns = ns < max_value ? ns : max_value;
    if (ns < 2 * sub_buckets) return static_cast<std::size_t>(ns);
    int msb = 63 - __builtin_clzll(ns);
    int shift = msb - SubBits; // ns >> shift lies in [sub_buckets, 2 * sub_buckets)
    return static_cast<std::size_t>(static_cast<uint64_t>(shift) * sub_buckets + (ns >> shift));
  }

  // The largest value the bucket holds.
  static uint64_t highest_ns(std::size_t bucket) {
    if (bucket < 2 * sub_buckets) return bucket;
    uint64_t shift = bucket / sub_buckets - 1;
    uint64_t unit = bucket - shift * sub_buckets;
    return ((unit + 1) << shift) - 1;
  }
};

// The totals' layout: 0.8 % wide buckets up to ~4.9 hours, 39 KB per histogram.
using fine_layout = histogram_layout<7, 44>;
// Per channel: 3 % wide buckets up to ~69 s, 8 KB, so that 10,000 channels stay affordable.
using channel_layout = histogram_layout<5, 36>;

inline constexpr int sub_bucket_bits = fine_layout::sub_bucket_bits;
inline constexpr uint64_t sub_buckets = fine_layout::sub_buckets;
inline constexpr std::size_t latency_buckets = fine_layout::buckets;
inline std::size_t latency_bucket(uint64_t ns) {
  return fine_layout::bucket(ns);
}
inline uint64_t bucket_highest_ns(std::size_t bucket) {
  return fine_layout::highest_ns(bucket);
}

// A plain sum of histograms, owned by one thread.
template <class Layout> struct basic_latency_summary {
  std::vector<uint64_t> counts = std::vector<uint64_t>(Layout::buckets);
  uint64_t total = 0;
  uint64_t max_ns = 0;

  // The value at quantile q (0..1], as the highest value of its bucket (capped by max_ns);
  // 0 when nothing was recorded.
  uint64_t quantile_ns(double q) const;
};

// Single writer. Counters are relaxed atomics written as load + store (no read-modify-write:
// there is only one writer), so readers on other threads see a consistent-enough view.
template <class Layout> class basic_latency_histogram {
public:
  void record(uint64_t ns) {
    auto& c = counts_[Layout::bucket(ns)];
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (ns > max_ns_.load(std::memory_order_relaxed)) max_ns_.store(ns, std::memory_order_relaxed);
  }

  // Any thread.
  void add_to(basic_latency_summary<Layout>& out) const;

private:
  std::array<std::atomic<uint64_t>, Layout::buckets> counts_{};
  std::atomic<uint64_t> max_ns_{0};
};

// Defined in latency_histogram.cpp for these two layouts only.
extern template struct basic_latency_summary<fine_layout>;
extern template class basic_latency_histogram<fine_layout>;
extern template struct basic_latency_summary<channel_layout>;
extern template class basic_latency_histogram<channel_layout>;

using latency_summary = basic_latency_summary<fine_layout>;
using latency_histogram = basic_latency_histogram<fine_layout>;
using channel_latency_summary = basic_latency_summary<channel_layout>;
using channel_latency_histogram = basic_latency_histogram<channel_layout>;

} // namespace chat::bench
