// token_options.hpp -- chat-server's token authentication, built from its options: the verifier
// every session shares (--auth token). Called once by serve_main(), before the server starts.
#pragma once

#include "apps/chat-server/server_config.hpp"
#include "auth/token_verifier.hpp"

#include <memory>
#include <string>
#include <variant>

namespace chat {

using token_verifier_ptr = std::shared_ptr<const auth::token_verifier>;

// The verifier for --auth token (null for --auth none), or why not, naming the option at fault:
// "--auth-secret-file: an HS256 secret must have at least 32 bytes". Reads the key file.
std::variant<token_verifier_ptr, std::string> make_token_verifier(const server_config& cfg);

} // namespace chat
