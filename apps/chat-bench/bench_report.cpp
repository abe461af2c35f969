#include "apps/chat-bench/bench_report.hpp"

#include "apps/chat-bench/report_format.hpp"
#include "apps/chat-bench/v2_load.hpp"
#include "apps/chat-bench/v2_report.hpp"

#include <cstdio>
#include <sstream>

namespace chat::bench {

namespace {

const char* phase_name(run_phase p) {
  switch (p) {
  case run_phase::connecting:
    return "connecting";
  case run_phase::holding:
    return "holding";
  case run_phase::warmup:
    return "warmup";
  case run_phase::measuring:
    return "measuring";
  case run_phase::draining:
    return "draining";
  case run_phase::done:
    return "done";
  }
  return "?";
}

std::string optional_number(const std::optional<uint64_t>& value) {
  return value ? std::to_string(*value) : "null";
}

const char* class_name(delivery_class c) {
  return c == delivery_class::same_node ? "same_node" : "cross_node";
}

} // namespace

std::string progress_line(double elapsed_s, run_phase phase, std::size_t clients,
                          const stats_totals& now, const stats_totals& before, double interval_s) {
  std::ostringstream out;
  char head[32];
  std::snprintf(head, sizeof head, "[%6.1fs] ", elapsed_s);
  out << head << phase_name(phase) << " connected " << now[counter::connected] << '/' << clients
      << " logged_in " << now[counter::logged_in] << " sent/s "
      << fixed(per_second(now[counter::sent] - before[counter::sent], interval_s), 0)
      << " delivered/s "
      << fixed(per_second(now[counter::delivered_all] - before[counter::delivered_all], interval_s),
               0)
      << " p99 " << p99_text(now.latency);
  for (auto c : {delivery_class::same_node, delivery_class::cross_node}) {
    auto all = delivered_counter(c, false);
    out << ' ' << class_name(c) << "/s " << fixed(per_second(now[all] - before[all], interval_s), 0)
        << " p99 " << p99_text(now.latency_of(c));
  }
  if (auto joined = now[counter::joined]) out << " joined " << joined; // --channels
  if (auto acked = now[counter::acked_all]; acked > 0)                 // --direct
    out << " acked/s " << fixed(per_second(acked - before[counter::acked_all], interval_s), 0)
        << " ack_p99 " << p99_text(now.ack_latency);
  if (auto lost = now[counter::closed_by_server]) out << " closed_by_server " << lost;
  if (auto failed =
          now[counter::connect_failed] + now[counter::login_failed] + now[counter::join_failed])
    out << " failed " << failed;
  return out.str();
}

namespace {

void write_counts(std::ostream& out, const bench_config& cfg, const stats_totals& t,
                  double measured_s) {
  auto delivered = t[counter::delivered];
  auto expected = t[counter::expected];
  out << ",\"connected\":" << t[counter::connected] << ",\"logged_in\":" << t[counter::logged_in]
      << ",\"connect_failed\":" << t[counter::connect_failed]
      << ",\"login_failed\":" << t[counter::login_failed]
      << ",\"closed_by_server\":" << t[counter::closed_by_server]
      << ",\"sent\":" << t[counter::sent_measured] << ",\"delivered\":" << delivered
      << ",\"deliveries_per_s\":" << fixed(per_second(delivered, measured_s), 0)
      << ",\"expected\":" << expected
      << ",\"lost\":" << (expected > delivered ? expected - delivered : 0)
      << ",\"duplicates\":" << t[counter::duplicates] << ",\"reordered\":" << t[counter::reordered]
      << ",\"foreign\":" << t[counter::foreign] << ",\"watched\":" << t[counter::watched]
      << ",\"rate_limited\":" << t[counter::rate_limited]
      << ",\"server_errors\":" << t[counter::server_errors]
      << ",\"schedule_skipped\":" << t[counter::schedule_skipped];
  if (cfg.v2()) write_v2_counts(out, t);
  out << ',';
  write_latency(out, t.latency);
  // After the totals, so that a reader taking the first "delivered" or "p50" gets the total.
  for (auto c : {delivery_class::same_node, delivery_class::cross_node}) {
    auto n = t[delivered_counter(c, true)];
    auto owed = t[c == delivery_class::same_node ? counter::expected_same_node
                                                 : counter::expected_cross_node];
    out << ",\"" << class_name(c) << "\":{\"delivered\":" << n
        << ",\"deliveries_per_s\":" << fixed(per_second(n, measured_s), 0)
        << ",\"expected\":" << owed << ",\"lost\":" << (owed > n ? owed - n : 0) << ',';
    write_latency(out, t.latency_of(c));
    out << '}';
  }
}

std::string cpu_seconds(const std::optional<uint64_t>& ns) {
  return ns ? fixed(static_cast<double>(*ns) / 1e9, 3) : "null";
}

std::string ns_per_delivery(const std::optional<uint64_t>& cpu_ns, uint64_t delivered) {
  if (!cpu_ns || delivered == 0) return "null";
  return fixed(static_cast<double>(*cpu_ns) / static_cast<double>(delivered), 1);
}

// One figure summed over every --server-pid; nothing if any is missing or none was given, so
// that a total never silently leaves a server out.
std::optional<uint64_t> sum_over(const std::vector<server_usage>& servers,
                                 std::optional<uint64_t> server_usage::*figure) {
  if (servers.empty()) return std::nullopt;
  uint64_t sum = 0;
  for (auto& server : servers) {
    if (!(server.*figure)) return std::nullopt;
    sum += *(server.*figure);
  }
  return sum;
}

// The servers' CPU and memory, all of them together (only with --server-pid), and this
// process's CPU.
void write_usage(std::ostream& out, const bench_result& r) {
  auto clients = r.totals[counter::logged_in];
  auto cpu_ns = sum_over(r.servers, &server_usage::cpu_ns);
  auto rss_start = sum_over(r.servers, &server_usage::rss_kib_start);
  auto rss_end = sum_over(r.servers, &server_usage::rss_kib_end);
  out << ",\"cpu_interval_s\":" << fixed(r.cpu_interval_s, 3)
      << ",\"server_cpu_s\":" << cpu_seconds(cpu_ns) << ",\"server_cpu_ns_per_delivery\":"
      << ns_per_delivery(cpu_ns, r.totals[counter::delivered]);
  out << ",\"server_rss_kib_start\":" << optional_number(rss_start)
      << ",\"server_rss_kib_end\":" << optional_number(rss_end)
      << ",\"server_rss_bytes_per_client\":";
  if (rss_start && rss_end && clients > 0)
    out << fixed((static_cast<double>(*rss_end) - static_cast<double>(*rss_start)) * 1024 /
                     static_cast<double>(clients),
                 0);
  else
    out << "null";
  out << ",\"bench_cpu_s\":" << cpu_seconds(r.bench_cpu_ns)
      << ",\"bench_cpu_total_s\":" << cpu_seconds(r.bench_cpu_total_ns);
}

// Per server, in --server order: its clients, the measured broadcasts they received, and (with
// --server-pid) that server's CPU per delivery. In a cluster a server also relays broadcasts
// to other nodes; that work is in its CPU too, but only its own clients' deliveries divide it.
void write_nodes(std::ostream& out, const bench_config& cfg, const bench_result& r) {
  auto servers = cfg.server_endpoints();
  auto senders = cfg.connect_only ? 0 : cfg.senders;
  out << ",\"nodes\":[";
  for (std::size_t k = 0; k < servers.size(); ++k) {
    auto delivered = r.totals.on(node_counter::delivered, k);
    std::optional<uint64_t> cpu_ns;
    if (k < r.servers.size()) cpu_ns = r.servers[k].cpu_ns;
    out << (k > 0 ? "," : "") << "{\"server\":\"" << servers[k] << '"'
        << ",\"clients\":" << round_robin_share(k, cfg.clients, servers.size())
        << ",\"senders\":" << round_robin_share(k, senders, servers.size())
        << ",\"logged_in\":" << r.totals.on(node_counter::logged_in, k)
        << ",\"delivered\":" << delivered << ",\"server_pid\":"
        << (k < cfg.server_pids.size() ? std::to_string(cfg.server_pids[k]) : "null")
        << ",\"server_cpu_s\":" << cpu_seconds(cpu_ns)
        << ",\"server_cpu_ns_per_delivery\":" << ns_per_delivery(cpu_ns, delivered) << '}';
  }
  out << ']';
}

} // namespace

std::string report_json(const bench_config& cfg, const bench_result& r) {
  std::ostringstream out;
  out << "{\"framing\":\"" << cfg.framing << "\",\"backend\":\"" << CHAT_BACKEND_NAME
      << "\",\"clients\":" << cfg.clients
      << ",\"senders\":" << (cfg.connect_only ? 0 : cfg.senders);
  if (cfg.v2())
    out << ",\"mode\":\"" << (cfg.direct ? "direct" : "channels")
        << "\",\"channels\":" << cfg.channels;
  write_counts(out, cfg, r.totals, r.measured_s);
  out << ",\"open_at_end\":" << r.open_at_end << ",\"duration_s\":" << fixed(r.measured_s, 3);
  write_usage(out, r);
  out << ",\"payload\":" << cfg.payload << ",\"window\":" << cfg.window
      << ",\"rate\":" << fixed(cfg.rate, 1) << ",\"io_threads\":" << cfg.io_threads
      << ",\"interrupted\":" << (r.interrupted ? "true" : "false");
  write_nodes(out, cfg, r); // after the totals: its keys repeat the totals' names
  if (cfg.direct) write_direct(out, r);
  if (cfg.channels > 0) write_per_channel(out, cfg, r);
  out << '}';
  return out.str();
}

} // namespace chat::bench
