// token_verifier.hpp -- checks a login token: a JWT (RFC 7519) in compact JWS form, signed with
// the one algorithm the server was configured for, naming the user in `sub`, with a required
// `exp` and an optional `channels` claim (docs/PROTOCOL.md "Token authentication").
// Built once by chat-server from its options, then shared read-only: every session calls
// verify() on its own thread. Pure: no sockets, no actors, the clock is an argument.
#pragma once

#include "auth/token_keys.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace chat::auth {

// A token longer than this is refused before any decoding: an RS256 signature with a 4096-bit key
// and a few dozen channels fit easily.
inline constexpr std::size_t max_token_size = 4096;

// What a valid token says.
struct token_claims {
  std::string subject;    // `sub`: the user name (the session checks it against the name rules)
  int64_t expires_at = 0; // `exp`, seconds since the epoch (clamped to int64)
  // `channels`: the channels the user may join; nothing: every channel.
  std::optional<std::vector<std::string>> channels;

  bool allows(std::string_view channel) const;
};

// Why a token is refused. Each has its own words in a LOGIN refusal (reason()).
enum class token_error : uint8_t {
  missing,               // token required
  too_large,             // token too large
  malformed,             // token malformed: <detail>
  algorithm_not_allowed, // token algorithm not allowed (alg "none" among them)
  signature_invalid,     // token signature invalid (forged, tampered, another key)
  expired,               // token expired
  not_yet_valid,         // token not yet valid (`nbf` in the future)
  other_user,            // token is for another user (a LOGIN naming someone else)
};

struct token_failure {
  token_error error = token_error::malformed;
  std::string detail; // malformed only: what is wrong, in our words (never the peer's bytes)
};

// The words after "Login failed: ", e.g. "token expired", "token malformed: no exp claim".
std::string reason(const token_failure& failure);

using verified = std::variant<token_claims, token_failure>;

class token_verifier {
public:
  // `leeway`: how far the issuer's clock may be ahead of ours (nbf) or behind it (exp).
  explicit token_verifier(verification_key key, std::chrono::seconds leeway = {});

  algorithm alg() const { return key_.alg(); }
  std::chrono::seconds leeway() const { return leeway_; }

  // The checks, in this order: size; three base64url parts; the header a JSON object whose
  // `alg` is the configured algorithm and which has no `crit`; the signature; the claims a JSON
  // object with a non-empty string `sub`, a numeric `exp`, an optional numeric `nbf` and an
  // optional array of strings `channels`; then exp and nbf against `now`. The claims are read
  // only once the signature holds.
  verified verify(std::string_view token, std::chrono::system_clock::time_point now) const;

private:
  verification_key key_;
  std::chrono::seconds leeway_;
};

} // namespace chat::auth
