#include "apps/chat-bench/server_spread.hpp"

#include "apps/chat-bench/loopback.hpp"

#include <cstdlib>

namespace chat::bench {

std::optional<boost::asio::ip::tcp::endpoint> server_address(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  auto host = loopback_address(text.substr(0, colon));
  auto port_text = text.substr(colon + 1);
  if (!host || port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  auto port = std::strtoul(port_text.c_str(), nullptr, 10);
  if (port < 1 || port > 65535) return std::nullopt;
  return boost::asio::ip::tcp::endpoint{*host, static_cast<uint16_t>(port)};
}

} // namespace chat::bench
