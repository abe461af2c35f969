// frame_bytes.hpp -- an encoded frame's bytes by value, for assertions: bytes() of a temporary
// frame would dangle. Used by actor and transport tests.
#pragma once

#include "messages/frame.hpp"

#include <string>
#include <vector>

namespace chat::test {

inline std::vector<char> copy_of(const frame& f) {
  return bytes(f);
}

inline std::string wire(const frame& f) {
  return {bytes(f).begin(), bytes(f).end()};
}

} // namespace chat::test
