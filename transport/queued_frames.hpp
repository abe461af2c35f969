// queued_frames.hpp -- the frames one TCP connection has queued for the kernel, in order, as a
// value: tcp_connection's outbound_queue holds the waiting ones, its loop the ones in flight.
// A small frame's bytes are copied in when it is queued; a large one is held by reference.
//
// Why copy: a broadcast's frame is shared by every member's queue. Holding a reference costs an
// atomic increment on the channel's thread and a decrement on the I/O loop, on the one cache line
// every member's queue shares (BENCHMARKS.md "Performance II: fourth pass"), and the loop then
// reads that line again to find the bytes. A copy of a 70-byte frame costs less, and the write
// finds the bytes of a whole burst contiguous: one buffer for the kernel, not one iovec per frame.
// Copying stops at `max_copied` bytes: a queue that has fallen behind holds references, so a
// thousand slow members do not each hold a copy of the same megabyte.
#pragma once

#include "messages/frame.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace chat::transport {

class queued_frames {
public:
  // The most bytes copied per queue; also the most a write sends from one buffer.
  static constexpr std::size_t max_copied = 16 * 1024;
  // A queue that went idle keeps its buffers up to this, so a chat's pace (one frame at a time)
  // allocates nothing per delivery and an idle connection holds only a little.
  static constexpr std::size_t kept_when_idle = 512;

  template <class Frames> void append(const Frames& frames) {
    for (const auto& f : frames)
      push_back(f);
  }

  void push_back(const frame& f) {
    const auto& b = bytes(f);
    if (copied_.size() + b.size() <= max_copied && whole(b))
      copied_.insert(copied_.end(), b.begin(), b.end());
    else
      referenced().emplace_back(copied_.size(), f);
  }

  bool empty() const { return copied_.empty() && (!referenced_ || referenced_->empty()); }

  std::size_t size_bytes() const {
    auto n = copied_.size();
    for (const auto& r : shared_frames())
      n += bytes(r.second).size();
    return n;
  }

  // The bytes in order, as contiguous pieces: fn(const char* data, std::size_t size). They stay
  // valid until the next change to this queue.
  template <class F> void for_each_piece(F&& fn) const {
    std::size_t at = 0;
    for (const auto& [offset, f] : shared_frames()) {
      if (offset > at) fn(copied_.data() + at, offset - at);
      fn(bytes(f).data(), bytes(f).size());
      at = offset;
    }
    if (copied_.size() > at) fn(copied_.data() + at, copied_.size() - at);
  }

  // Of these frames, with the first `written` bytes on the wire, how many bytes must still go so
  // the peer never sees a torn frame: the rest of the frame begun, or nothing when `written`
  // falls between two frames. (A slow consumer's cut drops what comes after it.)
  std::size_t rest_of_begun_frame(std::size_t written) const {
    std::size_t end = 0; // where the frames seen so far end on the wire
    auto walk_copied = [&](std::size_t from, std::size_t to) {
      while (from < to && end < written) {
        auto n = length_of(copied_.data() + from);
        from += n;
        end += n;
      }
    };
    std::size_t at = 0;
    for (const auto& [offset, f] : shared_frames()) {
      walk_copied(at, offset);
      at = offset;
      if (end >= written) break;
      end += bytes(f).size();
    }
    walk_copied(at, copied_.size());
    return end > written ? end - written : 0;
  }

  void clear() {
    copied_.clear();
    if (referenced_) referenced_->clear();
  }

  // Gone idle (empty): buffers past kept_when_idle are given back, and the shared frames' list.
  void trim() {
    if (!empty()) return;
    if (copied_.capacity() > kept_when_idle) std::vector<char>{}.swap(copied_);
    referenced_.reset();
  }

  void swap(queued_frames& other) noexcept {
    copied_.swap(other.copied_);
    referenced_.swap(other.referenced_);
  }

private:
  // Its 4-byte little-endian body length, plus those 4 bytes: the size of a frame on the wire.
  static std::size_t length_of(const char* header) {
    auto byte = [&](int i) { return static_cast<uint32_t>(static_cast<unsigned char>(header[i])); };
    return 4 + (byte(0) | byte(1) << 8 | byte(2) << 16 | byte(3) << 24);
  }
  // Only whole frames are copied (a test's raw bytes are referenced), so the copied bytes can be
  // walked frame by frame.
  static bool whole(const std::vector<char>& b) {
    return b.size() >= header_size && length_of(b.data()) == b.size();
  }

  // Frames not copied, each with the offset in copied_ it goes before. Behind a pointer: most
  // connections never have one, and every connection has two queued_frames.
  using shared_list = std::vector<std::pair<std::size_t, frame>>;

  shared_list& referenced() {
    if (!referenced_) referenced_ = std::make_unique<shared_list>();
    return *referenced_;
  }
  const shared_list& shared_frames() const {
    static const shared_list none;
    return referenced_ ? *referenced_ : none;
  }

  std::vector<char> copied_;
  std::unique_ptr<shared_list> referenced_;
};

} // namespace chat::transport
