#include "apps/chat-bench/loopback.hpp"

namespace chat::bench {

std::optional<boost::asio::ip::address_v4> loopback_address(const std::string& host) {
  if (host == "localhost") return boost::asio::ip::address_v4::loopback();
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address_v4(host, ec);
  if (ec || !address.is_loopback()) return std::nullopt; // is_loopback: 127.0.0.0/8
  return address;
}

boost::asio::ip::address_v4 source_address(std::size_t client, std::size_t count) {
  auto host = static_cast<boost::asio::ip::address_v4::uint_type>(1 + client % count);
  return boost::asio::ip::address_v4{(127u << 24) | host};
}

} // namespace chat::bench
