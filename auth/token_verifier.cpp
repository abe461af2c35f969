#include "auth/token_verifier.hpp"

#include "auth/base64url.hpp"
#include "auth/jwt_parts.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace chat::auth {

namespace {

token_failure fail(token_error error, std::string detail = {}) {
  return token_failure{error, std::move(detail)};
}
token_failure malformed(std::string detail) {
  return fail(token_error::malformed, std::move(detail));
}

// A JSON number (RFC 7519's NumericDate may have a fraction), as seconds; nothing if not a
// finite number. Boost.JSON reads 1e400 as infinity and 0e225000 as NaN (found by token_fuzz):
// neither is a date, and converting either to an integer is undefined.
std::optional<double> numeric_date(const boost::json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double() && std::isfinite(v.get_double())) return v.get_double();
  return std::nullopt;
}

int64_t clamped_seconds(double seconds) {
  constexpr double most = 9.2e18; // just inside int64
  return static_cast<int64_t>(std::clamp(std::floor(seconds), -most, most));
}

// The header: an object whose `alg` is ours. `crit` names extensions a verifier must understand
// (RFC 7515 section 4.1.11); we understand none, so a token that has one is refused.
std::optional<token_failure> check_header(const jwt_parts& parts, algorithm ours) {
  auto header = decode_json_part(parts.header, "header");
  if (auto* why = std::get_if<std::string>(&header)) return malformed(std::move(*why));
  auto& h = std::get<boost::json::object>(header);
  auto* alg = h.if_contains("alg");
  if (!alg) return malformed("no alg in the header");
  if (!alg->is_string()) return malformed("alg is not a string");
  // "none", and every algorithm but the configured one, whatever the key could do.
  if (alg->get_string() != jose_name(ours)) return fail(token_error::algorithm_not_allowed);
  if (h.contains("crit")) return malformed("crit is not supported");
  return std::nullopt;
}

std::variant<std::vector<std::string>, token_failure> channel_list(const boost::json::value& v) {
  if (!v.is_array()) return malformed("channels is not an array");
  std::vector<std::string> channels;
  for (auto& c : v.get_array()) {
    if (!c.is_string()) return malformed("channels holds a value that is not a string");
    channels.emplace_back(c.get_string());
  }
  return channels;
}

// The claims with their times as given (fractions kept) for the checks against the clock.
struct claims_read {
  token_claims claims;
  double exp = 0;
  std::optional<double> nbf;
};

// The claims, read only after the signature held: a forged token learns nothing from them.
std::variant<claims_read, token_failure> read_claims(const jwt_parts& parts) {
  auto decoded = decode_json_part(parts.claims, "claims");
  if (auto* why = std::get_if<std::string>(&decoded)) return malformed(std::move(*why));
  auto& c = std::get<boost::json::object>(decoded);
  claims_read read;
  auto& claims = read.claims;
  auto* sub = c.if_contains("sub");
  if (!sub) return malformed("no sub claim");
  if (!sub->is_string()) return malformed("sub is not a string");
  if (sub->get_string().empty()) return malformed("sub is empty");
  claims.subject = sub->get_string();
  auto* exp = c.if_contains("exp");
  if (!exp) return malformed("no exp claim");
  auto exp_seconds = numeric_date(*exp);
  if (!exp_seconds) return malformed("exp is not a number");
  read.exp = *exp_seconds;
  claims.expires_at = clamped_seconds(*exp_seconds);
  if (auto* nbf = c.if_contains("nbf")) {
    read.nbf = numeric_date(*nbf);
    if (!read.nbf) return malformed("nbf is not a number");
  }
  if (auto* list = c.if_contains("channels")) {
    auto channels = channel_list(*list);
    if (auto* f = std::get_if<token_failure>(&channels)) return std::move(*f);
    claims.channels = std::get<std::vector<std::string>>(std::move(channels));
  }
  return read;
}

// exp and nbf against `now`, with `leeway` for clocks that differ. RFC 7519: the token must not
// be accepted on or after exp, nor before nbf.
std::optional<token_failure> check_times(const claims_read& read,
                                         std::chrono::system_clock::time_point now,
                                         std::chrono::seconds leeway) {
  double seconds = std::chrono::duration<double>(now.time_since_epoch()).count();
  double slack = static_cast<double>(leeway.count());
  if (seconds >= read.exp + slack) return fail(token_error::expired);
  if (read.nbf && seconds + slack < *read.nbf) return fail(token_error::not_yet_valid);
  return std::nullopt;
}

} // namespace

bool token_claims::allows(std::string_view channel) const {
  return !channels || std::find(channels->begin(), channels->end(), channel) != channels->end();
}

std::string reason(const token_failure& failure) {
  switch (failure.error) {
  case token_error::missing:
    return "token required";
  case token_error::too_large:
    return "token too large (at most " + std::to_string(max_token_size) + " bytes)";
  case token_error::malformed:
    return failure.detail.empty() ? "token malformed" : "token malformed: " + failure.detail;
  case token_error::algorithm_not_allowed:
    return "token algorithm not allowed";
  case token_error::signature_invalid:
    return "token signature invalid";
  case token_error::expired:
    return "token expired";
  case token_error::not_yet_valid:
    return "token not yet valid";
  case token_error::other_user:
    return "token is for another user";
  }
  return "token refused";
}

token_verifier::token_verifier(verification_key key, std::chrono::seconds leeway)
    : key_(std::move(key)), leeway_(leeway) {}

verified token_verifier::verify(std::string_view token,
                                std::chrono::system_clock::time_point now) const {
  if (token.empty()) return fail(token_error::missing);
  if (token.size() > max_token_size) return fail(token_error::too_large);
  auto parts = split_jwt(token);
  if (!parts) return malformed("not three dot-separated parts");
  if (auto failure = check_header(*parts, key_.alg())) return std::move(*failure);
  auto signature = base64url_decode(parts->signature);
  if (!signature) return malformed("signature is not base64url");
  if (!key_.verify(parts->signed_part, *signature)) return fail(token_error::signature_invalid);
  auto claims = read_claims(*parts);
  if (auto* failure = std::get_if<token_failure>(&claims)) return std::move(*failure);
  auto& read = std::get<claims_read>(claims);
  if (auto failure = check_times(read, now, leeway_)) return std::move(*failure);
  return std::move(read.claims);
}

} // namespace chat::auth
