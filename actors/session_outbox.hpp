// session_outbox.hpp -- a session's member_outbox for one channel it joined: the channel writes
// batches to the session's connection itself, yet the client still hears the session first.
// Until the session opens it (after the JOIN's REPLY or "Login OK" went out) batches wait here,
// so nothing from a channel overtakes the answer that says the client is in it; once the session
// gives up its name, the outbox is closed and the rest is dropped, as the session used to drop
// deliveries itself. Made by session.cpp / session_v2.cpp; used by actors/channel.cpp.
#pragma once

#include "messages/member_outbox.hpp"
#include "transport/connection.hpp"

#include <cstddef>
#include <mutex>
#include <vector>

namespace chat {

class session_outbox final : public member_outbox {
public:
  // Batches a held outbox keeps at most. The wait is one turn of the session's mailbox, so this
  // is reached only if the session stalls; past it the outbox overflows (see open()).
  static constexpr std::size_t max_held = 256;

  explicit session_outbox(transport::connection_ptr conn) : conn_(std::move(conn)) {}

  void deliver(const frame_batch& batch) override;

  // Sends what waited, in order, and lets later batches straight through. False if the outbox
  // overflowed while held: batches were dropped, and the session must tell its client so.
  bool open();

  // Nothing more reaches the connection through this outbox.
  void close();

private:
  enum class gate : uint8_t { held, open, overflowed, closed };
  std::mutex mutex_; // orders open() against deliveries; uncontended once open
  gate gate_ = gate::held;
  std::vector<frame_batch> held_;
  transport::connection_ptr conn_;
};

} // namespace chat
