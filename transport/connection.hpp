// connection.hpp -- what an actor may do with the connection it owns: send frames, close it.
// The only piece of transport/ that actors/ sees; no Asio here. Every call is thread-safe.
#pragma once

#include "messages/frame.hpp"

#include <memory>
#include <string>

namespace chat::transport {

class connection {
public:
  virtual ~connection() = default;

  // Queues one shared frame (no byte is copied). Past the outbound byte bound the connection is
  // cut as a slow consumer instead of growing without limit; the owner then gets closed_atom.
  virtual void send(frame f) = 0;

  // Queues every frame of a delivery, in order, all or none (same bound as above).
  virtual void send(const frame_batch& batch) = 0;

  // Graceful: what is queued still goes out, then the socket closes. Idempotent.
  virtual void close() = 0;

  // "127.0.0.1:53412", for log lines.
  virtual std::string peer() const = 0;
};

using connection_ptr = std::shared_ptr<connection>;

} // namespace chat::transport
