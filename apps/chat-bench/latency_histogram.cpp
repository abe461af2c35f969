#include "apps/chat-bench/latency_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace chat::bench {

template <class Layout> uint64_t basic_latency_summary<Layout>::quantile_ns(double q) const {
  if (total == 0) return 0;
  auto wanted = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total)));
  wanted = std::clamp<uint64_t>(wanted, 1, total);
  uint64_t seen = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    seen += counts[i];
    if (seen >= wanted) return std::min(Layout::highest_ns(i), max_ns);
  }
  return max_ns;
}

template <class Layout>
void basic_latency_histogram<Layout>::add_to(basic_latency_summary<Layout>& out) const {
  for (std::size_t i = 0; i < Layout::buckets; ++i) {
    auto n = counts_[i].load(std::memory_order_relaxed);
    out.counts[i] += n;
    out.total += n; // summed here, so it always matches the counts read
  }
  out.max_ns = std::max(out.max_ns, max_ns_.load(std::memory_order_relaxed));
}

template struct basic_latency_summary<fine_layout>;
template class basic_latency_histogram<fine_layout>;
template struct basic_latency_summary<channel_layout>;
template class basic_latency_histogram<channel_layout>;

} // namespace chat::bench
