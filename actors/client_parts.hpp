// client_parts.hpp -- multi-part messages on the client's side of a connection (docs/PROTOCOL.md
// "Multi-part messages"): once the server's HELLO reply says version 3, frames larger than its
// --max-frame are cut into PART frames, and the server's PART frames are put back together.
// Owned by the client session actor (client_session.cpp), which decides when each part goes.
#pragma once

#include "messages/frame.hpp"
#include "messages/multipart.hpp"
#include "messages/multipart_reassembly.hpp"
#include "messages/protocol_v2.hpp"

#include <deque>
#include <memory>
#include <optional>

namespace chat {

class client_parts {
public:
  // The server's HELLO reply: version 3 turns parts on, with its bounds.
  void on_hello(const v2::hello_reply& hello);
  bool enabled() const { return splitter_.has_value(); }

  // A frame to send: false if it fits one frame (send it as it is). True if it was cut and its
  // parts queued; next_part() hands them out. A frame past the server's --max-message cannot
  // be cut: also false, and the server refuses it as it does any frame too large.
  bool queue(const frame& f);
  std::optional<frame> next_part();
  bool sending() const { return !queued_.empty(); }

  // A PART frame from the server (enabled(), or over UDP: `datagrams`, where a message with a
  // lost part gives its place to a newer one rather than block it until it times out).
  v2::part_outcome add(std::string_view payload, v2::reassembly_clock::time_point now,
                       bool datagrams);
  std::vector<v2::expired_message> expire(v2::reassembly_clock::time_point now);
  std::optional<v2::reassembly_clock::time_point> next_expiry() const;
  bool timer_set = false;

private:
  std::optional<v2::message_splitter> splitter_;
  std::size_t max_frame_ = 0;
  std::deque<frame> queued_; // parts not yet sent, of every cut message in order
  std::unique_ptr<v2::message_reassembly> incoming_;
  v2::reassembly_limits limits_;
};

} // namespace chat
