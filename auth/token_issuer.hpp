// token_issuer.hpp -- makes signed login tokens: `chat-server --issue-token` for operators and
// development, and tests that need valid, expired or deliberately broken tokens.
// Pure (the clock is an argument), any thread.
#pragma once

#include "auth/token_keys.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::auth {

struct token_request {
  std::string subject;                              // `sub`: the user name
  std::chrono::seconds ttl{3600};                   // `exp` = now (whole seconds) + ttl
  std::optional<std::chrono::seconds> not_before;   // `nbf` = now + this; none: no nbf
  std::optional<std::vector<std::string>> channels; // none: no `channels` claim (all allowed)
};

// A compact JWT: header {"alg":<key's>,"typ":"JWT"}, claims sub, iat, exp, [nbf], [channels].
std::string issue_token(const signing_key& key, const token_request& request,
                        std::chrono::system_clock::time_point now);

// base64url(header_json) "." base64url(claims_json) "." base64url(signature by `key`): any
// texts, JSON or not, for tests and the fuzz target.
std::string sign_token(const signing_key& key, std::string_view header_json,
                       std::string_view claims_json);

} // namespace chat::auth
