// jwt_parts.hpp -- a compact JWT cut into its three base64url parts, and a part read as a JSON
// object. Used by the verifier (before and after the signature check) and by clients that read
// their own name from a token; no signature is checked here.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace chat::auth {

struct jwt_parts {
  std::string_view header;      // base64url
  std::string_view claims;      // base64url
  std::string_view signature;   // base64url
  std::string_view signed_part; // "header.claims": the bytes the signature covers
};

// Exactly three parts separated by two dots, the first two non-empty, or nothing.
std::optional<jwt_parts> split_jwt(std::string_view token);

// Deeper nesting in a header or claims is refused (`channels` is depth 2).
inline constexpr std::size_t max_json_depth = 4;

// The JSON object a base64url part spells, or why not ("not base64url", "not JSON", "not an
// object"), naming the part as `what`.
std::variant<boost::json::object, std::string> decode_json_part(std::string_view part,
                                                                std::string_view what);

} // namespace chat::auth
