#include "apps/chat-bench/v2_report.hpp"

#include "apps/chat-bench/report_format.hpp"
#include "apps/chat-bench/v2_load.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <sstream>
#include <utility>
#include <vector>

namespace chat::bench {

namespace {

constexpr std::size_t all_lines_up_to = 20; // channels; more get the slowest and the faulty
constexpr std::size_t slowest_shown = 10;
constexpr std::size_t faulty_shown = 10;

uint64_t lost(uint64_t expected, uint64_t delivered) {
  return expected > delivered ? expected - delivered : 0;
}

std::size_t senders(const bench_config& cfg) {
  return cfg.connect_only ? 0 : cfg.senders;
}

bool faulty(const channel_totals& c) {
  return c.lost() > 0 || c[channel_counter::duplicates] > 0 || c[channel_counter::reordered] > 0;
}

std::string channel_line(const bench_config& cfg, const bench_result& r, std::size_t k) {
  auto& c = r.channels[k];
  char line[160];
  std::snprintf(line, sizeof line, "%-12s %7zu %7zu %9llu %13.0f %9s %9s %8llu %5llu %6llu",
                channel_name(k).c_str(), round_robin_share(k, cfg.clients, cfg.channels),
                round_robin_share(k, senders(cfg), cfg.channels),
                static_cast<unsigned long long>(c[channel_counter::sent]),
                per_second(c[channel_counter::delivered], r.measured_s),
                micros(c.latency.quantile_ns(0.5)).c_str(),
                micros(c.latency.quantile_ns(0.99)).c_str(),
                static_cast<unsigned long long>(c.lost()),
                static_cast<unsigned long long>(c[channel_counter::duplicates]),
                static_cast<unsigned long long>(c[channel_counter::reordered]));
  return line;
}

// "min X median Y max Z" of one figure over every channel.
template <class Figure> std::string spread(const bench_result& r, int decimals, Figure figure) {
  std::vector<double> values;
  for (auto& c : r.channels)
    values.push_back(figure(c));
  std::sort(values.begin(), values.end());
  return "min " + fixed(values.front(), decimals) + " median " +
         fixed(values[values.size() / 2], decimals) + " max " + fixed(values.back(), decimals);
}

void channel_table(std::ostream& out, const bench_config& cfg, const bench_result& r) {
  std::vector<std::size_t> shown(r.channels.size());
  std::iota(shown.begin(), shown.end(), 0);
  if (shown.size() > all_lines_up_to) { // the slowest by p99, then some faulty ones
    auto p99 = [&r](std::size_t k) { return r.channels[k].latency.quantile_ns(0.99); };
    std::stable_sort(shown.begin(), shown.end(),
                     [&](std::size_t a, std::size_t b) { return p99(a) > p99(b); });
    auto end = std::stable_partition(shown.begin() + slowest_shown, shown.end(),
                                     [&r](std::size_t k) { return faulty(r.channels[k]); });
    shown.erase(std::min(end, shown.begin() + slowest_shown + faulty_shown), shown.end());
  }
  out << "channel      members senders      sent  deliveries/s    p50_us    p99_us     lost   dup "
         "reord\n";
  for (auto k : shown)
    out << channel_line(cfg, r, k) << '\n';
  if (shown.size() == r.channels.size()) return;
  out << "... " << r.channels.size() - shown.size()
      << " more channels in the JSON's per_channel (above: the " << slowest_shown
      << " slowest by p99, then up to " << faulty_shown
      << " more with loss, duplicates or reordering)\n";
  out << "per channel: deliveries/s "
      << spread(r, 0,
                [&r](const channel_totals& c) {
                  return per_second(c[channel_counter::delivered], r.measured_s);
                })
      << "; p99_us "
      << spread(r, 1,
                [](const channel_totals& c) {
                  return static_cast<double>(c.latency.quantile_ns(0.99)) / 1e3;
                })
      << '\n';
}

} // namespace

void add_v2_counts(boost::json::object& out, const stats_totals& t) {
  out["joined"] = t[counter::joined];
  out["join_failed"] = t[counter::join_failed];
  out["wrong_channel"] = t[counter::wrong_channel];
  out["refused"] = t[counter::refused];
}

boost::json::object direct_json(const bench_result& r) {
  auto& t = r.totals;
  auto sent = t[counter::sent_measured];
  auto acked = t[counter::acked];
  boost::json::object out;
  out["sent"] = sent;
  out["dms_per_s"] = whole(per_second(sent, r.measured_s));
  out["acked"] = acked;
  out["acks_per_s"] = whole(per_second(acked, r.measured_s));
  out["refused"] = t[counter::refused];
  out["rate_limited"] = t[counter::rate_limited];
  out["delivered"] = t[counter::delivered];
  out["lost"] = lost(t[counter::expected], t[counter::delivered]);
  out["ack_latency_us"] = latency_json(t.ack_latency);
  return out;
}

boost::json::array per_channel_json(const bench_config& cfg, const bench_result& r) {
  boost::json::array channels;
  for (std::size_t k = 0; k < r.channels.size(); ++k) {
    auto& c = r.channels[k];
    auto delivered = c[channel_counter::delivered];
    boost::json::object out;
    out["channel"] = channel_name(k);
    out["members"] = round_robin_share(k, cfg.clients, cfg.channels);
    out["joined"] = c[channel_counter::joined];
    out["senders"] = round_robin_share(k, senders(cfg), cfg.channels);
    out["sent"] = c[channel_counter::sent];
    out["delivered"] = delivered;
    out["deliveries_per_s"] = whole(per_second(delivered, r.measured_s));
    out["expected"] = c[channel_counter::expected];
    out["lost"] = c.lost();
    out["duplicates"] = c[channel_counter::duplicates];
    out["reordered"] = c[channel_counter::reordered];
    out["p50_us"] = micros_number(c.latency.quantile_ns(0.5));
    out["p99_us"] = micros_number(c.latency.quantile_ns(0.99));
    out["max_us"] = micros_number(c.latency.max_ns);
    channels.push_back(std::move(out));
  }
  return channels;
}

std::string v2_text_report(const bench_config& cfg, const bench_result& r) {
  if (!cfg.v2()) return {};
  auto& t = r.totals;
  std::ostringstream out;
  auto lat = [](const latency_summary& l) {
    return "p50 " + micros(l.quantile_ns(0.5)) + "us p99 " + micros(l.quantile_ns(0.99)) + "us";
  };
  if (cfg.direct) {
    out << "direct: " << cfg.senders << " senders sent " << t[counter::sent_measured] << " DMs ("
        << fixed(per_second(t[counter::sent_measured], r.measured_s), 0) << "/s); acked "
        << t[counter::acked] << " (" << fixed(per_second(t[counter::acked], r.measured_s), 0)
        << "/s), ack " << lat(t.ack_latency) << "; refused " << t[counter::refused]
        << ", rate limited " << t[counter::rate_limited] << "; delivered " << t[counter::delivered]
        << ", lost " << lost(t[counter::expected], t[counter::delivered]) << ", delivery "
        << lat(t.latency) << '\n';
    return out.str();
  }
  out << "channels: " << cfg.channels << " with " << t[counter::joined] << " of " << cfg.clients
      << " clients joined, " << senders(cfg) << " senders: sent " << t[counter::sent_measured]
      << ", delivered " << t[counter::delivered] << " ("
      << fixed(per_second(t[counter::delivered], r.measured_s), 0) << "/s), " << lat(t.latency)
      << ", lost " << lost(t[counter::expected], t[counter::delivered]) << ", duplicates "
      << t[counter::duplicates] << ", reordered " << t[counter::reordered] << ", wrong channel "
      << t[counter::wrong_channel] << '\n';
  if (!r.channels.empty()) channel_table(out, cfg, r);
  return out.str();
}

} // namespace chat::bench
