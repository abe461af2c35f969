// multipart_connection.hpp -- the connection as a session sends through it: a frame larger than
// the client takes in one frame (--max-frame) goes as PART frames when the client speaks version
// 3, and is otherwise replaced by an ERROR that says what was not delivered (docs/PROTOCOL.md
// "Multi-part messages", "Sending"). Made by the session around the transport's connection; its
// channel outboxes write through it too. Frames that fit pass through untouched.
#pragma once

#include "transport/connection.hpp"

#include <atomic>
#include <cstddef>
#include <optional>
#include <vector>

namespace chat {

class multipart_connection final : public transport::connection {
public:
  multipart_connection(transport::connection_ptr wire, std::size_t max_frame)
      : wire_(std::move(wire)), max_frame_(max_frame) {}

  // The client said HELLO {3} (true), or HELLO {2} after it (false): from now on large frames
  // reach it in parts, or as a notice.
  void take_parts(bool yes) { parts_.store(yes, std::memory_order_release); }
  // Whether large frames reach the client whole: in parts (version 3), or carried by the
  // transport itself (UDP).
  bool takes_large_frames() const {
    return parts_.load(std::memory_order_acquire) || wire_->carries_large_frames();
  }

  void send(frame f) override;
  void send(const frame_batch& batch) override;
  void close() override { wire_->close(); }
  void frame_done() override { wire_->frame_done(); }
  bool carries_large_frames() const override { return wire_->carries_large_frames(); }
  std::string peer() const override { return wire_->peer(); }
  traffic counters() const override { return wire_->counters(); }

private:
  bool too_large(const frame& f) const;
  // What goes on the wire for a frame that is too large: its parts, or the ERROR.
  std::vector<frame> fitted(const frame& f) const;

  transport::connection_ptr wire_;
  std::size_t max_frame_;
  std::atomic<bool> parts_{false};
};

// The ERROR a client that takes no parts gets instead of a frame too large for it, e.g.
// "not delivered: a message from ann in dev (1048600 bytes) is too long for this client".
frame not_delivered_notice(const frame& f);

} // namespace chat
