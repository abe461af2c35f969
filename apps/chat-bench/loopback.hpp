// loopback.hpp -- chat-bench is a local tool: it connects to 127.0.0.0/8 only, and spreads its
// clients over 127.0.0.x source addresses to get past one address's ephemeral port range.
// Pure; used by the options check and by each client before it connects.
#pragma once

#include <boost/asio/ip/address_v4.hpp>

#include <cstddef>
#include <optional>
#include <string>

namespace chat::bench {

// Largest --source-addresses: 127.0.0.1 .. 127.0.0.254.
inline constexpr std::size_t max_source_addresses = 254;

// "localhost" or a dotted IPv4 address inside 127.0.0.0/8; nothing for anything else (other
// names are not resolved: a benchmark must not wander off this machine by a typo).
std::optional<boost::asio::ip::address_v4> loopback_address(const std::string& host);

// Client i's source address: 127.0.0.(1 + i % count).
boost::asio::ip::address_v4 source_address(std::size_t client, std::size_t count);

} // namespace chat::bench
