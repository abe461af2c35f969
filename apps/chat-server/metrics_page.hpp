// metrics_page.hpp -- /metrics in the Prometheus text format (docs/PROTOCOL.md "Metrics"): the
// running totals of messages/counters.hpp, the gauges read from the listeners and the history
// store when it is asked for, and the process's CPU and memory. Served by chat-server's HTTP
// side; read by an operator's Prometheus.
#pragma once

#include "store/history_store.hpp"
#include "transport/http_listener.hpp"
#include "transport/listener.hpp"
#include "transport/udp_endpoint.hpp"

#include <memory>
#include <string>

namespace chat {

// What the page reads besides the counters. Weak: a scrape during shutdown finds them gone.
struct metrics_sources {
  std::weak_ptr<transport::listener> tcp;
  std::weak_ptr<transport::http_listener> http;
  std::weak_ptr<transport::udp_endpoint> udp; // none: the UDP endpoint is off
  store::history_store_ptr history;           // none: no store
  bool clustered = false;
};

std::string render_metrics(const metrics_sources& from);

} // namespace chat
