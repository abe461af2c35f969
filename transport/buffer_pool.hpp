// buffer_pool.hpp -- the read buffers of the transport: one per I/O thread, shared by every
// connection that thread serves. Used only inside tcp_connection's readable handler.
#pragma once

#include <cstddef>

namespace chat::transport {

// The completion-port trick: a connection waits for readability without a buffer, and only
// then reads, into this thread's buffer. So an idle connection holds no read buffer at all,
// and the read path allocates nothing per read. Valid until the calling handler returns.
struct read_buffer {
  char* data;
  std::size_t size;
};

read_buffer this_thread_read_buffer();

} // namespace chat::transport
