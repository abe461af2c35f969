// bench_report.hpp -- what a run found, and how it is shown: the progress line (stderr, once a
// second) and the final one-line JSON object (stdout), written with Boost.JSON, the library its
// readers (tests/bench) parse it with. Built and printed by the main thread.
#pragma once

#include "apps/chat-bench/bench_config.hpp"
#include "apps/chat-bench/bench_plan.hpp"
#include "apps/chat-bench/bench_stats.hpp"
#include "apps/chat-bench/large_tracker.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace chat::bench {

// One --server-pid's process, read from /proc; a figure is missing if it could not be read.
struct server_usage {
  std::optional<uint64_t> cpu_ns;         // over bench_result::cpu_interval_s
  std::optional<uint64_t> rss_kib_start;  // before the first connect
  std::optional<uint64_t> rss_kib_end;    // end of the measured interval (or the hold)
  std::optional<uint64_t> connect_cpu_ns; // over connect_phase::cpu_interval_s
};

// From the first connect until every client was ready (logged in; --channels: joined) or had
// failed: TCP connects, TLS handshakes (--tls) and logins, all in one phase.
struct connect_phase {
  double cpu_interval_s = 0; // until the main thread saw every client settled: the CPU figures'
  double settled_s = 0;      // until the last client settled, by the clients' own clock
  double handshake_s = 0;    // until the last TLS handshake was done or failed (--tls)
  uint64_t bench_cpu_ns = 0; // this process, over cpu_interval_s
  std::string tls_version;   // "TLSv1.3 TLS_AES_256_GCM_SHA384": the first handshake's
};

struct bench_result {
  stats_totals totals;
  double measured_s = 0;             // the measured sending interval
  double cpu_interval_s = 0;         // measured interval + drain: what the CPU figures cover
  std::vector<server_usage> servers; // one per --server-pid, in --server order; else empty
  uint64_t bench_cpu_ns = 0;         // this process, over cpu_interval_s
  uint64_t bench_cpu_total_ns = 0;   // this process, whole run
  int64_t open_at_end = 0;           // clients still logged in before our own close
  bool interrupted = false;          // SIGINT/SIGTERM ended the run early
  std::vector<std::pair<std::string, std::string>> failures; // kind, first text of that kind
  std::vector<channel_totals> channels; // --channels K: K of them, in channel order; else empty
  connect_phase connect;
  large_tracker::summary large; // --large-message: each message's time to all other members
};

// "[  3.0s] measuring connected 100/100 logged_in 100 sent/s 1234 delivered/s 123400 p99 87us
//  same_node/s 61700 p99 80us cross_node/s 61700 p99 95us" (one line)
std::string progress_line(double elapsed_s, run_phase phase, std::size_t clients,
                          const stats_totals& now, const stats_totals& before, double interval_s);

// The report: one line, no trailing newline. --channels and --direct runs add v2_report.hpp's
// parts. Numbers may have exponents (Boost.JSON writes doubles so): read it as JSON, not as text.
std::string report_json(const bench_config& cfg, const bench_result& r);

// --tls: the connect phase in one line for stderr, "connect phase: 100 of 100 TLS handshakes
// in 0.052 s (1923/s, TLSv1.3 ...), 100 clients ready after 0.055 s, server CPU 140.0 us per
// client" (no newline).
std::string connect_text(const bench_config& cfg, const bench_result& r);

} // namespace chat::bench
