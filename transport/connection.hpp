// connection.hpp -- what an actor may do with the connection it owns: send frames, close it.
// The only piece of transport/ that actors/ sees; no Asio here. Every call is thread-safe.
#pragma once

#include "messages/frame.hpp"

#include <cstdint>
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

  // The owner has handled one frame it was given. Reading pauses while too many frames are
  // handed over but not yet handled (a flooding peer then meets TCP's own back-pressure), and
  // resumes as the owner catches up. Owners call it once per received frame, on any thread.
  virtual void frame_done() = 0;

  // Whether this connection carries frames of any size itself: over UDP a frame that does not
  // fit one datagram goes as PART frames the connection cuts (docs/PROTOCOL.md "Datagrams
  // (UDP)"). False (TCP, TLS, WebSocket): a frame is sent as it is, so its owner must not send
  // one larger than the peer takes (max_frame) unless it splits it first.
  virtual bool carries_large_frames() const { return false; }

  // "127.0.0.1:53412", for log lines.
  virtual std::string peer() const = 0;

  // Bytes so far, for the log line at close.
  struct traffic {
    uint64_t bytes_in = 0;
    uint64_t bytes_out = 0;
  };
  virtual traffic counters() const = 0;
};

using connection_ptr = std::shared_ptr<connection>;

} // namespace chat::transport
