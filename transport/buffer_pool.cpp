#include "transport/buffer_pool.hpp"

#include <array>

namespace chat::transport {

namespace {

// Large enough that one read drains a busy socket's receive queue in a few calls.
constexpr std::size_t read_buffer_size = 64 * 1024;

} // namespace

read_buffer this_thread_read_buffer() {
  thread_local std::array<char, read_buffer_size> buffer;
  return {buffer.data(), buffer.size()};
}

} // namespace chat::transport
