// utf8.hpp -- strict UTF-8 validation for payloads (PROTOCOL.md: payload is UTF-8 text).
// Pure; called by session actors on every text payload before it is used.
#pragma once

#include <string_view>

namespace chat {

// Rejects overlong forms, UTF-16 surrogates, code points past U+10FFFF and truncated sequences.
bool is_valid_utf8(std::string_view text);

} // namespace chat
