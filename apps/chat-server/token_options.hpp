// token_options.hpp -- chat-server's token authentication, built from its options: the verifier
// every session shares (--auth token), and the token --issue-token prints. Called once by
// serve_main(), before the server starts (or instead of it).
#pragma once

#include "apps/chat-server/server_config.hpp"
#include "auth/token_verifier.hpp"

#include <iosfwd>
#include <memory>
#include <string>
#include <variant>

namespace chat {

using token_verifier_ptr = std::shared_ptr<const auth::token_verifier>;

// The verifier for --auth token (null for --auth none), or why not, naming the option at fault:
// "--auth-secret-file: an HS256 secret must have at least 32 bytes". Reads the key file.
std::variant<token_verifier_ptr, std::string> make_token_verifier(const server_config& cfg);

// --issue-token NAME: writes a token for NAME and a line end to `out`, signed with the secret or
// private key file, and returns 0; or writes why not to `err` and returns 1.
int print_issued_token(const char* program, const server_config& cfg, std::ostream& out,
                       std::ostream& err);

} // namespace chat
