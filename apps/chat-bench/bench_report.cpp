#include "apps/chat-bench/bench_report.hpp"

#include "apps/chat-bench/large_report.hpp"
#include "apps/chat-bench/report_format.hpp"
#include "apps/chat-bench/v2_load.hpp"
#include "apps/chat-bench/v2_report.hpp"

#include "apps/chat-bench/bench_udp.hpp" // --transport=udp: the report's "udp" object

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <sstream>
#include <utility>

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
  if (auto failed = now[counter::connect_failed] + now[counter::handshake_failed] +
                    now[counter::login_failed] + now[counter::join_failed])
    out << " failed " << failed;
  return out.str();
}

namespace {

// A figure that may be missing (not read from /proc, no --server-pid): null in the report.
boost::json::value number_or_null(const std::optional<uint64_t>& value) {
  if (!value) return nullptr;
  return *value;
}

// The totals' counts, then the same split by delivery class. The key order is the one reports
// have always had (people read the line; old and new reports are compared side by side).
void add_counts(boost::json::object& out, const bench_config& cfg, const stats_totals& t,
                double measured_s) {
  auto delivered = t[counter::delivered];
  auto expected = t[counter::expected];
  out["connected"] = t[counter::connected];
  out["logged_in"] = t[counter::logged_in];
  out["connect_failed"] = t[counter::connect_failed];
  out["login_failed"] = t[counter::login_failed];
  out["closed_by_server"] = t[counter::closed_by_server];
  out["sent"] = t[counter::sent_measured];
  out["delivered"] = delivered;
  out["deliveries_per_s"] = whole(per_second(delivered, measured_s));
  out["expected"] = expected;
  out["lost"] = expected > delivered ? expected - delivered : 0;
  out["duplicates"] = t[counter::duplicates];
  out["reordered"] = t[counter::reordered];
  out["foreign"] = t[counter::foreign];
  out["watched"] = t[counter::watched];
  out["rate_limited"] = t[counter::rate_limited];
  out["server_errors"] = t[counter::server_errors];
  out["schedule_skipped"] = t[counter::schedule_skipped];
  if (cfg.v2()) add_v2_counts(out, t);
  out["latency_us"] = latency_json(t.latency);
  for (auto c : {delivery_class::same_node, delivery_class::cross_node}) {
    auto n = t[delivered_counter(c, true)];
    auto owed = t[c == delivery_class::same_node ? counter::expected_same_node
                                                 : counter::expected_cross_node];
    boost::json::object split;
    split["delivered"] = n;
    split["deliveries_per_s"] = whole(per_second(n, measured_s));
    split["expected"] = owed;
    split["lost"] = owed > n ? owed - n : 0;
    split["latency_us"] = latency_json(t.latency_of(c));
    out[class_name(c)] = std::move(split);
  }
}

boost::json::value cpu_seconds(const std::optional<uint64_t>& ns) {
  if (!ns) return nullptr;
  return rounded(static_cast<double>(*ns) / 1e9, 3);
}

boost::json::value ns_per_delivery(const std::optional<uint64_t>& cpu_ns, uint64_t delivered) {
  if (!cpu_ns || delivered == 0) return nullptr;
  return rounded(static_cast<double>(*cpu_ns) / static_cast<double>(delivered), 1);
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
void add_usage(boost::json::object& out, const bench_result& r) {
  auto clients = r.totals[counter::logged_in];
  auto cpu_ns = sum_over(r.servers, &server_usage::cpu_ns);
  auto rss_start = sum_over(r.servers, &server_usage::rss_kib_start);
  auto rss_end = sum_over(r.servers, &server_usage::rss_kib_end);
  out["cpu_interval_s"] = rounded(r.cpu_interval_s, 3);
  out["server_cpu_s"] = cpu_seconds(cpu_ns);
  out["server_cpu_ns_per_delivery"] = ns_per_delivery(cpu_ns, r.totals[counter::delivered]);
  out["server_rss_kib_start"] = number_or_null(rss_start);
  out["server_rss_kib_end"] = number_or_null(rss_end);
  boost::json::value per_client;           // null unless both figures were read
  if (rss_start && rss_end && clients > 0) // negative if the servers' memory shrank
    per_client = whole((static_cast<double>(*rss_end) - static_cast<double>(*rss_start)) * 1024 /
                       static_cast<double>(clients));
  out["server_rss_bytes_per_client"] = std::move(per_client);
  out["bench_cpu_s"] = cpu_seconds(r.bench_cpu_ns);
  out["bench_cpu_total_s"] = cpu_seconds(r.bench_cpu_total_ns);
}

std::string endpoint_text(const boost::asio::ip::tcp::endpoint& endpoint) {
  std::ostringstream out;
  out << endpoint; // "127.0.0.1:7000", as --server takes it
  return out.str();
}

// Per server, in --server order: its clients, the measured broadcasts they received, and (with
// --server-pid) that server's CPU per delivery. In a cluster a server also relays broadcasts
// to other nodes; that work is in its CPU too, but only its own clients' deliveries divide it.
boost::json::array nodes_json(const bench_config& cfg, const bench_result& r) {
  auto servers = cfg.server_endpoints();
  auto senders = cfg.connect_only ? 0 : cfg.senders;
  boost::json::array nodes;
  for (std::size_t k = 0; k < servers.size(); ++k) {
    auto delivered = r.totals.on(node_counter::delivered, k);
    std::optional<uint64_t> cpu_ns;
    if (k < r.servers.size()) cpu_ns = r.servers[k].cpu_ns;
    boost::json::object node;
    node["server"] = endpoint_text(servers[k]);
    node["clients"] = round_robin_share(k, cfg.clients, servers.size());
    node["senders"] = round_robin_share(k, senders, servers.size());
    node["logged_in"] = r.totals.on(node_counter::logged_in, k);
    node["delivered"] = delivered;
    boost::json::value pid; // null: no --server-pid for this server
    if (k < cfg.server_pids.size()) pid = cfg.server_pids[k];
    node["server_pid"] = std::move(pid);
    node["server_cpu_s"] = cpu_seconds(cpu_ns);
    node["server_cpu_ns_per_delivery"] = ns_per_delivery(cpu_ns, delivered);
    nodes.push_back(std::move(node));
  }
  return nodes;
}

// The connect phase: every run has it; the handshake figures are null without --tls. CPU per
// client divides by the clients that became ready, and covers their accept, handshake and login.
boost::json::object connect_json(const bench_config& cfg, const bench_result& r) {
  const auto& phase = r.connect;
  auto ready = r.totals[cfg.channels > 0 ? counter::joined : counter::logged_in];
  auto handshakes = r.totals[counter::handshakes];
  auto per_ready_us = [ready](const std::optional<uint64_t>& ns) -> boost::json::value {
    if (!ns || ready == 0) return nullptr;
    return rounded(static_cast<double>(*ns) / 1e3 / static_cast<double>(ready), 1);
  };
  auto server_ns = sum_over(r.servers, &server_usage::connect_cpu_ns);
  boost::json::object out;
  out["clients"] = cfg.clients;
  out["ready"] = ready;
  out["settled_s"] = rounded(phase.settled_s, 3);
  out["ready_per_s"] = whole(per_second(ready, phase.settled_s));
  out["handshakes"] = handshakes;
  out["handshake_failed"] = r.totals[counter::handshake_failed];
  boost::json::value handshake_s, handshakes_per_s, version;
  if (cfg.tls) {
    handshake_s = rounded(phase.handshake_s, 3);
    handshakes_per_s = whole(per_second(handshakes, phase.handshake_s));
    if (!phase.tls_version.empty()) version = phase.tls_version;
  }
  out["handshake_s"] = std::move(handshake_s);
  out["handshakes_per_s"] = std::move(handshakes_per_s);
  out["tls_version"] = std::move(version);
  out["cpu_interval_s"] = rounded(phase.cpu_interval_s, 3);
  out["server_cpu_s"] = cpu_seconds(server_ns);
  out["server_cpu_us_per_client"] = per_ready_us(server_ns);
  out["bench_cpu_s"] = cpu_seconds(phase.bench_cpu_ns);
  out["bench_cpu_us_per_client"] = per_ready_us(phase.bench_cpu_ns);
  return out;
}

} // namespace

std::string connect_text(const bench_config& cfg, const bench_result& r) {
  auto phase = connect_json(cfg, r);
  auto handshakes = r.totals[counter::handshakes];
  std::ostringstream out;
  out << "connect phase: " << handshakes << " of " << cfg.clients << " TLS handshakes in "
      << fixed(r.connect.handshake_s, 3) << " s ("
      << fixed(per_second(handshakes, r.connect.handshake_s), 0) << "/s";
  if (!r.connect.tls_version.empty()) out << ", " << r.connect.tls_version;
  out << "), " << phase["ready"].to_number<uint64_t>() << " clients ready after "
      << fixed(r.connect.settled_s, 3) << " s, server CPU ";
  if (auto& us = phase["server_cpu_us_per_client"]; us.is_number())
    out << fixed(us.to_number<double>(), 1) << " us per client";
  else
    out << "not measured (--server-pid)";
  return out.str();
}

std::string report_json(const bench_config& cfg, const bench_result& r) {
  boost::json::object out;
  out["framing"] = cfg.framing;
  out["backend"] = CHAT_BACKEND_NAME;
  out["clients"] = cfg.clients;
  out["senders"] = cfg.connect_only ? 0 : cfg.senders;
  if (cfg.v2()) {
    out["mode"] = cfg.direct ? "direct" : "channels";
    out["channels"] = cfg.channels;
  }
  add_counts(out, cfg, r.totals, r.measured_s);
  out["open_at_end"] = r.open_at_end;
  out["duration_s"] = rounded(r.measured_s, 3);
  add_usage(out, r);
  out["payload"] = cfg.payload;
  out["window"] = cfg.window;
  out["rate"] = rounded(cfg.rate, 1);
  out["io_threads"] = cfg.io_threads;
  out["interrupted"] = r.interrupted;
  out["tls"] = cfg.tls;
  out["transport"] = cfg.transport;
  if (cfg.udp()) out["udp"] = udp_json(cfg, r); // bench_udp.cpp
  out["connect_phase"] = connect_json(cfg, r);
  out["nodes"] = nodes_json(cfg, r); // after the totals: its keys repeat the totals' names
  if (cfg.direct) out["direct"] = direct_json(r);
  if (cfg.channels > 0) out["per_channel"] = per_channel_json(cfg, r);
  if (cfg.large()) out["large"] = large_json(cfg, r);
  return boost::json::serialize(out);
}

} // namespace chat::bench
