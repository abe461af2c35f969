// server_spread.hpp -- which server each client talks to, and whether a delivery crossed servers.
// Pure; bench_config reads --server with it, each bench_client picks its server and classifies
// every broadcast it receives with it.
//
// Client i uses server i % N. Senders are the first clients, so they spread the same way: with
// at least N senders every server has one. A broadcast whose sender and receiver use the same
// server is same-node; when the servers form a cluster, one relayed from another server is
// cross-node. Classification is by server index only, so it needs nothing from the servers.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace chat::bench {

// Bounds the per-server counters each I/O thread keeps.
inline constexpr std::size_t max_servers = 64;

enum class delivery_class : uint8_t { same_node, cross_node };
inline constexpr std::size_t delivery_class_count = 2;

// "HOST:PORT" with HOST as loopback_address() takes it and PORT in 1..65535; nothing otherwise.
std::optional<boost::asio::ip::tcp::endpoint> server_address(const std::string& text);

inline std::size_t server_of(std::size_t client, std::size_t servers) {
  return client % servers;
}

inline delivery_class classify(std::size_t sender, std::size_t receiver, std::size_t servers) {
  return server_of(sender, servers) == server_of(receiver, servers) ? delivery_class::same_node
                                                                    : delivery_class::cross_node;
}

} // namespace chat::bench
