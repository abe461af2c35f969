// large_report.hpp -- the report's "large" object and its line on stderr, for --large-message
// runs only: the large MSGs' own counts and latencies, kept apart from the normal messages'
// figures (which never count them). Called by report_json (bench_report.cpp) and main().
#pragma once

#include "apps/chat-bench/bench_config.hpp"
#include "apps/chat-bench/bench_report.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace chat::bench {

// {"bytes":..,"every_s":..,"parts":..,"wire_bytes":..,"sent":..,"skipped":..,"expected":..,
//  "delivered":..,"lost":..,"corrupt":..,"duplicates":..,"refused":..,"parts_in":..,
//  "part_bytes_in":..,"latency_us":{..},"tracked":..,"reached_all":..,"to_all_us":{..}}
// latency_us: per delivery, send time to the arrival of its last part at that member's socket;
// to_all_us: per message that every other member received, send time to the last of them.
boost::json::object large_json(const bench_config& cfg, const bench_result& r);

// "large messages: 10 of 1048576 bytes (17 parts), delivered 1000 of 1000 ..." and a newline;
// empty without --large-message.
std::string large_text_report(const bench_config& cfg, const bench_result& r);

} // namespace chat::bench
