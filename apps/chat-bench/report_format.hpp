// report_format.hpp -- how chat-bench writes numbers in its reports: fixed-point text without
// exponent or locale, microseconds from nanoseconds, rates, and the latency object. Shared by
// bench_report.cpp (totals, nodes) and v2_report.cpp (channels, direct messages).
#pragma once

#include "apps/chat-bench/latency_histogram.hpp"

#include <cstdint>
#include <cstdio>
#include <ostream>
#include <string>

namespace chat::bench {

inline std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

inline std::string micros(uint64_t ns) {
  return fixed(static_cast<double>(ns) / 1e3, 1);
}

inline double per_second(uint64_t count, double seconds) {
  return seconds > 0 ? static_cast<double>(count) / seconds : 0;
}

// "87.0us", or "-" when nothing was recorded.
template <class Summary> std::string p99_text(const Summary& l) {
  return l.total == 0 ? "-" : micros(l.quantile_ns(0.99)) + "us";
}

// "latency_us":{"p50":..,"p99":..,"p999":..,"max":..}, under another key if given.
template <class Summary>
void write_latency(std::ostream& out, const Summary& l, const char* key = "latency_us") {
  out << '"' << key << "\":{\"p50\":" << micros(l.quantile_ns(0.5))
      << ",\"p99\":" << micros(l.quantile_ns(0.99)) << ",\"p999\":" << micros(l.quantile_ns(0.999))
      << ",\"max\":" << micros(l.max_ns) << '}';
}

} // namespace chat::bench
