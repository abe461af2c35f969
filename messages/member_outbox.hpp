// member_outbox.hpp -- where a channel puts a member's deliveries when the member owns a client
// connection: straight onto the connection's outbound queue, with no actor message (mailbox,
// scheduling, activation) per member per batch. Sessions hand one to each channel they join
// (actors/session_outbox.hpp); bots and other actor members have none and get a deliver message.
#pragma once

#include "messages/frame.hpp"

#include <caf/allowed_unsafe_message_type.hpp>

#include <memory>

namespace chat {

class member_outbox {
public:
  virtual ~member_outbox() = default;
  // One batch, in the channel's order. Called by the channel only, on whatever thread runs it;
  // implementations are thread-safe against their owner.
  virtual void deliver(const frame_batch& batch) = 0;
};

using member_outbox_ptr = std::shared_ptr<member_outbox>;

} // namespace chat

// A pointer to an object in this process: local messages only (joins never cross nodes).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(chat::member_outbox_ptr)
