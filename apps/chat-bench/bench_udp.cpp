#include "apps/chat-bench/bench_udp.hpp"

#include "apps/chat-bench/report_format.hpp"
#include "apps/chat-bench/stamp.hpp"
#include "apps/chat-bench/udp_wire.hpp"

namespace chat::bench {

namespace {

// Room in a datagram for what goes around --payload: the DATA prefix, a frame's header, and a
// version-2 MSG's channel and sender names (a broadcast needs less).
constexpr std::size_t udp_frame_room = transport::udp::data_prefix_size + 5 + 4 + 1 + 64 + 1 + 32;

} // namespace

std::string bench_config::validate_udp() const {
  if (!udp()) {
    if (udp_max_datagram != transport::udp::default_max_datagram)
      return "--udp-max-datagram needs --transport=udp";
    return {};
  }
  if (framing != "chat") return "--transport=udp needs --framing=chat";
  if (tls) return "--tls is for --transport=tcp (there is no DTLS)";
  if (connect_only) return "--transport=udp measures deliveries: not with --connect-only";
  if (udp_max_datagram < transport::udp::min_max_datagram ||
      udp_max_datagram > transport::udp::max_max_datagram)
    return "--udp-max-datagram must be between 256 and 65507";
  if (payload + udp_frame_room > udp_max_datagram)
    return "--transport=udp: --payload must leave room in one datagram (--udp-max-datagram less "
           "about 130 bytes): chat-bench sends no PART frames";
  if (udp_rcvbuf < 4096 || udp_rcvbuf > (std::size_t{1} << 30))
    return "--udp-rcvbuf must be between 4096 and 1073741824";
  return {};
}

boost::json::object udp_json(const bench_config& cfg, const bench_result& r) {
  auto& c = udp_wire::run_counters();
  auto get = [](const std::atomic<uint64_t>& v) { return v.load(std::memory_order_relaxed); };
  boost::json::object out;
  out["max_datagram"] = cfg.udp_max_datagram;
  out["rcvbuf_requested"] = cfg.udp_rcvbuf;
  // As getsockopt(SO_RCVBUF) reports it: twice what was set (the kernel's bookkeeping).
  out["rcvbuf_bytes_min"] = c.rcvbuf_min.load();
  out["rcvbuf_bytes_max"] = c.rcvbuf_max.load();
  out["rcvbuf_forced"] = c.rcvbuf_forced.load() && c.rcvbuf_max.load() > 0;
  out["hellos"] = get(c.hellos);
  out["hello_retries"] = get(c.hello_retries);
  out["sessions"] = get(c.cookies);
  out["datagrams_out"] = get(c.datagrams_out);
  out["bytes_out"] = get(c.bytes_out);
  out["send_dropped"] = get(c.send_dropped);
  out["datagrams_in"] = get(c.datagrams_in);
  out["bytes_in"] = get(c.bytes_in);
  out["data_in"] = get(c.data_in);
  out["frames_in"] = get(c.frames_in);
  out["frames_per_data"] =
      get(c.data_in) > 0 ? rounded(double(get(c.frames_in)) / double(get(c.data_in)), 2) : 0.0;
  out["wrong_cookie"] = get(c.wrong_cookie);
  out["malformed"] = get(c.malformed);
  out["truncated"] = get(c.truncated);
  out["part_frames"] = get(c.part_frames);
  out["closed_by_server"] = get(c.closed_by_server);
  out["socket_drops"] = get(c.socket_drops);
  out["slots_reclaimed"] = get(c.slots_reclaimed);
  auto expected = r.totals[counter::expected];
  auto delivered = r.totals[counter::delivered];
  auto lost = expected > delivered ? expected - delivered : 0;
  out["lost"] = lost;
  out["loss_pct"] = expected > 0 ? rounded(100.0 * double(lost) / double(expected), 4) : 0.0;
  boost::json::value kernel; // null if /proc/net/snmp could not be read
  auto now = udp_wire::read_kernel_udp();
  if (now && c.kernel_noted.load(std::memory_order_acquire)) {
    auto& before = c.kernel_before;
    boost::json::object k;
    k["in_datagrams"] = now->in_datagrams - before.in_datagrams;
    k["in_errors"] = now->in_errors - before.in_errors;
    k["rcvbuf_errors"] = now->rcvbuf_errors - before.rcvbuf_errors;
    k["sndbuf_errors"] = now->sndbuf_errors - before.sndbuf_errors;
    kernel = std::move(k);
  }
  out["kernel_udp"] = std::move(kernel); // every socket of the machine, the server's too
  return out;
}

} // namespace chat::bench
