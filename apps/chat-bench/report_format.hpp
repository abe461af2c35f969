// report_format.hpp -- how chat-bench writes numbers: fixed-point text for people (the progress
// line and the summary on stderr), and the same figures as values of the JSON report on stdout,
// rounded alike, with the latency object. Shared by bench_report.cpp (totals, nodes, progress)
// and v2_report.cpp (channels, direct messages, their summary).
#pragma once

#include <boost/json/object.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

namespace chat::bench {

// Text without exponent or locale ("%.*f"), for the lines on stderr.
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

// A JSON figure with `decimals` decimals, like the text always had: readers compare reports
// across versions, so the precision stays. It stays a double, which Boost.JSON may write with
// an exponent (8.71E1): JSON readers take it, text tools (grep, sed) must not read the report.
inline double rounded(double value, int decimals) {
  double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

// A JSON figure the text showed with no decimals (rates, bytes per client): an integer, so that
// it is written as one.
inline int64_t whole(double value) {
  return static_cast<int64_t>(std::llround(value));
}

// Microseconds with one decimal, as micros() writes them.
inline double micros_number(uint64_t ns) {
  return rounded(static_cast<double>(ns) / 1e3, 1);
}

// {"p50":..,"p99":..,"p999":..,"max":..} in microseconds: "latency_us" and its kin.
template <class Summary> boost::json::object latency_json(const Summary& l) {
  return {{"p50", micros_number(l.quantile_ns(0.5))},
          {"p99", micros_number(l.quantile_ns(0.99))},
          {"p999", micros_number(l.quantile_ns(0.999))},
          {"max", micros_number(l.max_ns)}};
}

} // namespace chat::bench
