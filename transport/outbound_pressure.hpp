// outbound_pressure.hpp -- back-pressure from receivers to senders across one listener's
// connections. A connection whose outbound queue is high (its peer still reading, just not as
// fast as the room produces) "presses"; while anyone presses, connections stop reading, so
// broadcasters are held back by TCP instead of the server queueing without bound.
// Shared by every tcp_connection of a listener; the listener creates it.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

namespace chat::transport {

class outbound_pressure {
public:
  // A connection crossed its high watermark, or fell back under it (or stopped counting: its
  // peer made no progress at all, or it closed). Calls pair up; any thread.
  void press();
  void release();

  // Fast check for the read path; a false "pressed" only delays a read until the next check.
  bool pressed() const;

  // If anyone presses, keeps `resume` and returns true: it runs (on the releasing thread) once
  // nobody presses any more. Otherwise returns false and drops it. Check and enqueue are one
  // step, so a release between them cannot be missed.
  bool defer(std::function<void()> resume);

  std::size_t pressing() const;

private:
  mutable std::mutex mutex_;
  std::size_t pressing_ = 0;         // guarded by mutex_
  std::atomic<bool> pressed_{false}; // pressing_ > 0, for the lock-free check
  std::vector<std::function<void()>> waiting_;
};

} // namespace chat::transport
