// v2_report.hpp -- the parts of chat-bench's report that only protocol-version-2 runs have: the
// extra totals, the "direct" object (--direct), the "per_channel" array (--channels), and the
// text summary printed on stderr at the end of such a run. Called by bench_report.cpp's
// report_json and by main(); a version-1 run's output has none of it.
#pragma once

#include "apps/chat-bench/bench_config.hpp"
#include "apps/chat-bench/bench_report.hpp"
#include "apps/chat-bench/bench_stats.hpp"

#include <boost/json/fwd.hpp>

#include <string>

namespace chat::bench {

// "joined", "join_failed", "wrong_channel", "refused": added to the totals after their counts.
void add_v2_counts(boost::json::object& out, const stats_totals& t);

// The report's "direct" (--direct): {"sent":..,"dms_per_s":..,"acked":..,"acks_per_s":..,
//  "refused":..,"rate_limited":..,"delivered":..,"lost":..,"ack_latency_us":{..}}
boost::json::object direct_json(const bench_result& r);

// The report's "per_channel" (--channels): [{"channel":"bench-0","members":..,"joined":..,
//  "senders":..,"sent":..,"delivered":..,"deliveries_per_s":..,"expected":..,"lost":..,
//  "duplicates":..,"reordered":..,"p50_us":..,"p99_us":..,"max_us":..},...] (flat objects, in
//  channel order)
boost::json::array per_channel_json(const bench_config& cfg, const bench_result& r);

// Lines for a person: the totals, then a table of channels (all of them up to 20; beyond, the
// 10 slowest and 10 with loss, duplicates or reordering, and the spread over all channels), or
// the DM figures. Ends with a newline; empty for a version-1 run.
std::string v2_text_report(const bench_config& cfg, const bench_result& r);

} // namespace chat::bench
