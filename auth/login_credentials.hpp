// login_credentials.hpp -- what a LOGIN payload carries, a name, a token or both
// (docs/PROTOCOL.md "Token authentication"), and whom it logs in under the server's auth mode.
// The session calls authenticate() on each LOGIN; clients make the payload with login_payload().
#pragma once

#include "auth/token_verifier.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace chat::auth {

// Between the name and the token. A name can hold no control character and a token is
// base64url and dots, so the first line end splits them unambiguously.
inline constexpr char token_separator = '\n';

// A payload read as credentials (views into it):
//   "NAME\nTOKEN"  the name and a token that must name the same user
//   "\nTOKEN"      a token alone, and so is a payload of three dot-separated parts: "TOKEN"
//   "NAME"         a name alone (version 1's LOGIN)
struct login_credentials {
  std::string_view name; // empty: the token's `sub` is the name
  std::optional<std::string_view> token;
};
login_credentials split_login(std::string_view payload);

// The payload a client sends: "NAME\nTOKEN", or NAME alone without a token.
std::string login_payload(std::string_view name, std::string_view token);

// Who a LOGIN logs in.
struct login_grant {
  std::string name;
  std::optional<std::vector<std::string>> channels; // none: every channel
};

// `verifier` null (--auth none): the name is the payload up to a line end, if it has one (a
// token after it is not read), and every channel is allowed. Otherwise the token is verified
// at `now` and names the user; the name, if the payload gives one, must be the token's `sub`.
// A refusal is the text after "Login failed: " (reason() of token_verifier.hpp).
std::variant<login_grant, std::string> authenticate(const token_verifier* verifier,
                                                    std::string_view payload,
                                                    std::chrono::system_clock::time_point now);

// The `sub` of a token, read without checking anything: for a client that is given only a
// token and must know its own name. Never a basis for trust.
std::optional<std::string> unverified_subject(std::string_view token);

} // namespace chat::auth
