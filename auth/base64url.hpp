// base64url.hpp -- the unpadded base64url of JWTs (RFC 7515 section 2, RFC 4648 section 5).
// Pure functions, any thread: the token verifier decodes a token's three parts with it, the
// issuer encodes them. Decoding is strict: one spelling per byte string, so a token cannot be
// altered without changing the bytes its signature covers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chat::auth {

// The unpadded base64url of `bytes`.
std::string base64url_encode(std::string_view bytes);

// The bytes `text` spells, or nothing when it is not canonical unpadded base64url: a character
// outside A-Z a-z 0-9 '-' '_' (padding '=' included), a length of 4n+1, or unused low bits of
// the last character that are not zero.
std::optional<std::string> base64url_decode(std::string_view text);

} // namespace chat::auth
