// outbound_policy.hpp -- what one connection's outbound queue means for everyone else: hold the
// listener's readers back (the server's own writer is behind), or cut the connection as a slow
// consumer (its peer is behind). A value with no socket in it: tcp_connection feeds it what it
// measured, unit tests feed it numbers.
//
// The question both rules ask is whose fault a long queue is. The kernel answers it: a peer
// that keeps up leaves nothing unsent in its socket (on loopback, not a byte), so a long queue
// with an empty socket is our writer's backlog, and the only fair answer is to take less from
// every sender until it drains (press). A socket that holds data unsent means the peer's
// receive window is shut: that peer, and nobody else, is behind; it never presses, and once
// its queue is past the bound it is cut. A long queue whose peer keeps up is never cut: pressing
// bounds it, and the peer is taking it as fast as the kernel offers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

namespace chat::transport {

class outbound_policy {
public:
  struct limits {
    std::size_t bound = 1 << 20; // queued bytes past which a peer that is behind is cut
    // Unsent bytes in the kernel's socket that mean "the peer is behind". tcp_connection caps
    // the socket's unsent data (TCP_NOTSENT_LOWAT) well above this.
    std::size_t behind_bytes = 8 * 1024;
    // How long a peer must have been seen behind before it is cut past the bound: a reader that
    // keeps up can still miss scheduler turns on a busy machine (with 250 ms, readers of
    // SlowConsumerTest that kept up were cut under ASan and a CPU hog, 4 runs in 8).
    // What a slow consumer holds at its cut is the bound plus what its channels produce in this
    // time. (A cut at once far past the bound, tried as 16 x, also cut a reader that kept up but
    // had a 6 MB burst land while its socket was full: ThreadSanitizer build.)
    int64_t grace_ns = 1'000'000'000;
    // A kernel reading younger than this is reused (the query is a system call).
    int64_t recheck_ns = 1'000'000;
  };

  struct decision {
    bool press = false; // hold the listener's readers back (our own writer is behind)
    bool cut = false;   // cut this connection as a slow consumer
  };

  explicit outbound_policy(limits l) : limits_(l) {}

  // One look at the queue: `queued` bytes not yet taken by the kernel, at `now`;
  // `kernel_unsent()` is asked only when the answer depends on it.
  template <class KernelUnsent>
  decision judge(std::size_t queued, int64_t now, KernelUnsent&& kernel_unsent) {
    if (queued <= limits_.bound / 4 && !pressing_) {
      forget_kernel(); // a short queue is nobody's problem; measure afresh next time
      return {};
    }
    if (now - checked_ns_ >= limits_.recheck_ns) {
      bool behind = kernel_unsent() >= limits_.behind_bytes;
      if (behind && !behind_) behind_since_ns_ = now;
      behind_ = behind;
      checked_ns_ = now;
    }
    if (behind_ && queued > limits_.bound && now - behind_since_ns_ >= limits_.grace_ns)
      return stop_pressing(true);
    pressing_ = !behind_ && queued > (pressing_ ? limits_.bound / 4 : limits_.bound / 2);
    return {pressing_, false};
  }

  // The connection is closing: it presses no more.
  decision stop_pressing(bool cut = false) {
    pressing_ = false;
    forget_kernel();
    return {false, cut};
  }

  bool pressing() const { return pressing_; }

private:
  void forget_kernel() {
    behind_ = false;
    checked_ns_ = std::numeric_limits<int64_t>::min() / 2;
  }

  limits limits_;
  bool pressing_ = false;
  bool behind_ = false;
  int64_t behind_since_ns_ = 0;
  int64_t checked_ns_ = std::numeric_limits<int64_t>::min() / 2;
};

} // namespace chat::transport
