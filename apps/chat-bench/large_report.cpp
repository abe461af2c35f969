#include "apps/chat-bench/large_report.hpp"

#include "apps/chat-bench/report_format.hpp"

#include <chrono>
#include <sstream>

namespace chat::bench {

namespace {

uint64_t large_lost(const stats_totals& t) {
  auto owed = t[counter::large_expected];
  auto got = t[counter::large_delivered];
  return owed > got ? owed - got : 0;
}

// Per large MSG sent: its parts and the bytes they took on the wire (the same for each).
double per_message(const stats_totals& t, counter c) {
  auto sent = t[counter::large_sent];
  return sent == 0 ? 0 : static_cast<double>(t[c]) / static_cast<double>(sent);
}

} // namespace

boost::json::object large_json(const bench_config& cfg, const bench_result& r) {
  auto& t = r.totals;
  boost::json::object out;
  out["bytes"] = cfg.large_message;
  out["every_s"] = rounded(std::chrono::duration<double>(cfg.large_every).count(), 3);
  out["parts"] = rounded(per_message(t, counter::large_parts_out), 1);
  out["wire_bytes"] = whole(per_message(t, counter::large_bytes_out));
  out["sent"] = t[counter::large_sent];
  out["skipped"] = t[counter::large_skipped];
  out["expected"] = t[counter::large_expected];
  out["delivered"] = t[counter::large_delivered];
  out["lost"] = large_lost(t);
  out["corrupt"] = t[counter::large_corrupt];
  out["duplicates"] = t[counter::large_duplicates];
  out["refused"] = t[counter::large_refused];
  out["parts_in"] = t[counter::large_parts_in];
  out["part_bytes_in"] = t[counter::large_part_bytes_in];
  out["latency_us"] = latency_json(t.large_latency);
  out["tracked"] = r.large.tracked;
  out["reached_all"] = r.large.reached_all;
  out["to_all_us"] = latency_json(r.large.to_all);
  return out;
}

std::string large_text_report(const bench_config& cfg, const bench_result& r) {
  if (!cfg.large()) return {};
  auto& t = r.totals;
  auto ms = [](uint64_t ns) { return fixed(static_cast<double>(ns) / 1e6, 2) + "ms"; };
  std::ostringstream out;
  out << "large messages: " << t[counter::large_sent] << " of " << cfg.large_message << " bytes ("
      << fixed(per_message(t, counter::large_parts_out), 0) << " parts), delivered "
      << t[counter::large_delivered] << " of " << t[counter::large_expected] << ", lost "
      << large_lost(t) << ", corrupt " << t[counter::large_corrupt] << ", refused "
      << t[counter::large_refused] << "; latency p50 " << ms(t.large_latency.quantile_ns(0.5))
      << " p99 " << ms(t.large_latency.quantile_ns(0.99)) << "; to all other members p50 "
      << ms(r.large.to_all.quantile_ns(0.5)) << " p99 " << ms(r.large.to_all.quantile_ns(0.99))
      << " (" << r.large.reached_all << " of " << r.large.tracked << " reached all)\n";
  return out.str();
}

} // namespace chat::bench
