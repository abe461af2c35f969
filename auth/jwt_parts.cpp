#include "auth/jwt_parts.hpp"

#include "auth/base64url.hpp"

#include <boost/json/parse.hpp>

namespace chat::auth {

std::optional<jwt_parts> split_jwt(std::string_view token) {
  auto first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  auto second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return std::nullopt;
  jwt_parts p;
  p.header = token.substr(0, first);
  p.claims = token.substr(first + 1, second - first - 1);
  p.signature = token.substr(second + 1);
  p.signed_part = token.substr(0, second);
  // An empty signature is left to the verifier: "alg":"none" tokens have one, and are refused
  // for their algorithm.
  if (p.header.empty() || p.claims.empty()) return std::nullopt;
  return p;
}

std::variant<boost::json::object, std::string> decode_json_part(std::string_view part,
                                                                std::string_view what) {
  auto text = base64url_decode(part);
  if (!text) return std::string{what} + " is not base64url";
  boost::json::parse_options options;
  options.max_depth = max_json_depth;
  boost::system::error_code ec;
  auto value = boost::json::parse(*text, ec, {}, options);
  if (ec) return std::string{what} + " is not JSON";
  if (!value.is_object()) return std::string{what} + " is not a JSON object";
  return std::move(value.as_object());
}

} // namespace chat::auth
