#include "auth/login_credentials.hpp"

#include "auth/jwt_parts.hpp"

namespace chat::auth {

login_credentials split_login(std::string_view payload) {
  auto line_end = payload.find(token_separator);
  if (line_end != std::string_view::npos)
    return {payload.substr(0, line_end), payload.substr(line_end + 1)};
  if (split_jwt(payload)) return {{}, payload};
  return {payload, std::nullopt};
}

std::string login_payload(std::string_view name, std::string_view token) {
  std::string payload{name};
  if (!token.empty()) (payload += token_separator) += token;
  return payload;
}

std::variant<login_grant, std::string> authenticate(const token_verifier* verifier,
                                                    std::string_view payload,
                                                    std::chrono::system_clock::time_point now) {
  if (!verifier) {
    // A client that holds a token may log in to a server without auth: the name is what counts.
    return login_grant{std::string{payload.substr(0, payload.find(token_separator))}, {}};
  }
  auto credentials = split_login(payload);
  if (!credentials.token) return reason(token_failure{token_error::missing, {}});
  auto checked = verifier->verify(*credentials.token, now);
  if (auto* failure = std::get_if<token_failure>(&checked)) return reason(*failure);
  auto& claims = std::get<token_claims>(checked);
  if (!credentials.name.empty() && credentials.name != claims.subject)
    return reason(token_failure{token_error::other_user, {}});
  return login_grant{std::move(claims.subject), std::move(claims.channels)};
}

std::optional<std::string> unverified_subject(std::string_view token) {
  auto parts = split_jwt(token);
  if (!parts) return std::nullopt;
  auto claims = decode_json_part(parts->claims, "claims");
  auto* object = std::get_if<boost::json::object>(&claims);
  if (!object) return std::nullopt;
  auto* sub = object->if_contains("sub");
  if (!sub || !sub->is_string()) return std::nullopt;
  return std::string{sub->get_string()};
}

} // namespace chat::auth
