#include "apps/chat-server/metrics_page.hpp"

#include "apps/chat-server/health_page.hpp"

#include "messages/counters.hpp"
#include "messages/frame.hpp"
#include "messages/protocol_v2.hpp"

#include <fstream>
#include <sstream>

#include <unistd.h>

namespace chat {

namespace {

using counters::total;

class exposition {
public:
  // One metric family: its help line and type, then its samples.
  exposition& family(const char* name, const char* type, const char* help) {
    out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
    return *this;
  }
  exposition& sample(const char* name, uint64_t value, const std::string& labels = {}) {
    out_ << name << (labels.empty() ? "" : "{" + labels + "}") << ' ' << value << '\n';
    return *this;
  }
  exposition& sample(const char* name, double value) {
    out_ << name << ' ' << value << '\n';
    return *this;
  }
  exposition& counter(const char* name, const char* help, total t) {
    return family(name, "counter", help).sample(name, counters::sum(t));
  }
  std::string text() const { return out_.str(); }

private:
  std::ostringstream out_;
};

// utime + stime from /proc/self/stat, in seconds; and resident bytes from /proc/self/statm.
double process_cpu_seconds() {
  std::ifstream stat{"/proc/self/stat"};
  std::string all{std::istreambuf_iterator<char>{stat}, {}};
  auto close = all.rfind(')'); // the command name may hold spaces
  if (close == std::string::npos) return 0;
  std::istringstream rest{all.substr(close + 2)};
  std::string field;
  unsigned long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoul(field);
    if (i == 15) stime = std::stoul(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

uint64_t resident_bytes() {
  std::ifstream statm{"/proc/self/statm"};
  uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

void frames(exposition& e, const char* name, const char* help,
            const std::array<uint64_t, 256>& by_type) {
  e.family(name, "counter", help);
  for (std::size_t t = 0; t < by_type.size(); ++t)
    if (by_type[t] > 0)
      e.sample(name, by_type[t], "type=\"" + frame_type_name(static_cast<uint8_t>(t)) + "\"");
}

// The UDP endpoint's own counts (transport/udp_stats.hpp): datagrams each way, COOKIEs, and
// every datagram dropped, by reason; only reasons that happened are listed.
void udp_metrics(exposition& e, const transport::udp_stats& s) {
  e.family("chat_udp_datagrams_total", "counter", "UDP datagrams received and sent.")
      .sample("chat_udp_datagrams_total", s.datagrams_in.load(), "direction=\"in\"")
      .sample("chat_udp_datagrams_total", s.datagrams_out.load(), "direction=\"out\"");
  e.family("chat_udp_cookies_sent_total", "counter",
           "COOKIEs sent to UDP peers without a session (HELLO, or a refreshed cookie).")
      .sample("chat_udp_cookies_sent_total", s.cookies_sent.load());
  e.family("chat_udp_malformed_total", "counter",
           "DATAs with malformed frames from UDP sessions (answered ERROR 'malformed datagram').")
      .sample("chat_udp_malformed_total", s.malformed_notices.load());
  e.family("chat_udp_dropped_total", "counter", "UDP datagrams dropped, by reason.");
  for (std::size_t i = 0; i < transport::udp_drop_count; ++i) {
    auto reason = static_cast<transport::udp_drop>(i);
    if (auto n = s.drops(reason); n > 0)
      e.sample("chat_udp_dropped_total", n,
               std::string{"reason=\""} + transport::udp_drop_name(reason) + "\"");
  }
}

} // namespace

std::string render_metrics(const metrics_sources& from) {
  exposition e;
  auto tcp = from.tcp.lock();
  auto http = from.http.lock();
  auto udp = from.udp.lock();
  e.family("chat_connections_open", "gauge", "Client connections open now, by transport.")
      .sample("chat_connections_open", tcp ? tcp->open_connections() : 0, "transport=\"tcp\"")
      .sample("chat_connections_open", http ? http->open_websockets() : 0,
              "transport=\"websocket\"");
  if (udp) e.sample("chat_connections_open", udp->open_connections(), "transport=\"udp\"");
  e.family("chat_connections_accepted_total", "counter", "Client connections accepted.")
      .sample("chat_connections_accepted_total", counters::sum(total::accepted_tcp),
              "transport=\"tcp\"")
      .sample("chat_connections_accepted_total", counters::sum(total::accepted_websocket),
              "transport=\"websocket\"");
  if (udp)
    e.sample("chat_connections_accepted_total", udp->stats().sessions_opened.load(),
             "transport=\"udp\"");
  e.counter("chat_logins_total", "Successful logins.", total::logins);
  if (udp) udp_metrics(e, udp->stats());
  auto in = counters::sum_frames_in();
  auto out = counters::sum_frames_out();
  frames(e, "chat_frames_in_total", "Frames received from clients, by type.", in);
  frames(e, "chat_frames_out_total", "Frames queued to clients (one per receiver), by type.", out);
  auto deliveries = out[static_cast<uint8_t>(frame_type::broadcast_msg)] +
                    out[static_cast<uint8_t>(v2::type::msg)] +
                    out[static_cast<uint8_t>(v2::type::dm)];
  e.family("chat_deliveries_total", "counter",
           "Chat messages queued to receivers (BROADCAST_MSG, MSG, DM).")
      .sample("chat_deliveries_total", deliveries);
  e.family("chat_bytes_total", "counter", "Bytes read from and written to clients.")
      .sample("chat_bytes_total", counters::sum(total::bytes_in), "direction=\"in\"")
      .sample("chat_bytes_total", counters::sum(total::bytes_out), "direction=\"out\"");
  e.counter("chat_slow_consumer_cuts_total", "Connections cut as slow consumers.",
            total::slow_consumer_cuts);
  e.counter("chat_rate_limit_waits_total",
            "Messages held back by --max-broadcast-rate (the sender waited).",
            total::rate_limit_waits);
  e.counter("chat_excess_flood_cuts_total", "Senders cut for staying over the rate too long.",
            total::excess_flood_cuts);
  e.counter("chat_protocol_violations_total", "Malformed frames and JSON messages.",
            total::protocol_violations);
  e.family("chat_multipart_messages_total", "counter",
           "Multi-part messages from clients: reassembled whole, or dropped (refused, timed out).")
      .sample("chat_multipart_messages_total", counters::sum(total::multipart_whole),
              "outcome=\"whole\"")
      .sample("chat_multipart_messages_total", counters::sum(total::multipart_dropped),
              "outcome=\"dropped\"");
  auto held = counters::sum(total::multipart_bytes_held);
  auto released = counters::sum(total::multipart_bytes_released);
  e.family("chat_multipart_held_bytes", "gauge",
           "Bytes held by parts of multi-part messages not yet whole, every session together.")
      .sample("chat_multipart_held_bytes", held >= released ? held - released : 0);
  auto opened = counters::sum(total::channels_opened);
  auto closed = counters::sum(total::channels_closed);
  e.family("chat_channels", "gauge", "Channels on this node now.")
      .sample("chat_channels", opened >= closed ? opened - closed : 0);
  if (from.history && from.history->durable())
    e.family("chat_history_messages_stored", "gauge", "Messages in the history store on disk.")
        .sample("chat_history_messages_stored", from.history->stored());
  e.counter("chat_history_messages_written_total", "Messages written to the history store.",
            total::store_messages);
  e.counter("chat_history_write_failures_total", "History writes that failed.",
            total::store_failures);
  e.family("chat_history_commit_seconds", "summary", "Time the store spent per commit.")
      .sample("chat_history_commit_seconds_sum",
              static_cast<double>(counters::sum(total::store_commit_ns)) / 1e9)
      .sample("chat_history_commit_seconds_count", counters::sum(total::store_commits));
  if (from.clustered)
    e.family("chat_cluster_nodes", "gauge", "Nodes in this node's cluster, itself included.")
        .sample("chat_cluster_nodes", cluster_nodes());
  e.family("process_cpu_seconds_total", "counter", "User and system CPU time of the process.")
      .sample("process_cpu_seconds_total", process_cpu_seconds());
  e.family("process_resident_memory_bytes", "gauge", "Resident memory of the process.")
      .sample("process_resident_memory_bytes", resident_bytes());
  return e.text();
}

} // namespace chat
