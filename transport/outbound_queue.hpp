// outbound_queue.hpp -- one connection's outbound frames as a value: what waits, how many bytes
// wait or are being written, and whether a write is running. No lock and no socket: a connection
// holds it under its out_mutex_, unit tests hold it alone. `Frames` is how the frames wait:
// shared references (std::vector<frame>, the WebSocket's queue, written one message at a time)
// or queued_frames (TCP's: small frames copied in, queued_frames.hpp).
#pragma once

#include "messages/frame.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <type_traits>
#include <vector>

namespace chat::transport {

template <class Frames = std::vector<frame>> class outbound_queue {
public:
  // Whether the caller must start the writing (none was running), or it is already on its way.
  enum class pushed : bool { queued, started };

  // Appends `frames`, of `size` bytes in all, in order.
  template <class Sent> pushed push(const Sent& frames, std::size_t size) {
    if constexpr (std::is_same_v<Frames, std::vector<frame>>)
      waiting_.insert(waiting_.end(), frames.begin(), frames.end()); // reference counts only
    else
      waiting_.append(frames);
    waiting_bytes_ += size;
    return start();
  }

  // The write in flight is done: everything waiting becomes the next one (swapped into
  // `in_flight`, which must be empty). False when nothing waits: the writing stops until the
  // next push; an idle queue keeps little memory (trim_idle).
  bool take_all(Frames& in_flight) {
    if (waiting_.empty()) {
      writing_ = false;
      in_flight_bytes_ = 0;
      trim_idle(waiting_);
      return false;
    }
    in_flight.swap(waiting_);
    in_flight_bytes_ = waiting_bytes_;
    waiting_bytes_ = 0;
    return true;
  }

  // The kernel took `n` bytes of the write in flight; `done`: all of it (or it ended).
  void took(std::size_t n, bool done) {
    in_flight_bytes_ = done ? 0 : in_flight_bytes_ - std::min(n, in_flight_bytes_);
  }

  // Of the write in flight, only `left` bytes are still to go (the rest was dropped).
  void in_flight_left(std::size_t left) { in_flight_bytes_ = left; }

  // A cut: what waits is dropped and `last` (if any) takes its place; the writing goes on, to
  // send `last` and then find the queue empty.
  pushed replace_waiting(const std::optional<frame>& last) {
    drop_waiting();
    if (last) {
      waiting_.push_back(*last);
      waiting_bytes_ = chat::bytes(*last).size();
    }
    return start();
  }

  // The end: nothing that waits goes out any more.
  void drop_waiting() {
    waiting_.clear();
    waiting_bytes_ = 0;
  }

  // Bytes waiting or in flight: what the outbound policy judges.
  std::size_t bytes_owed() const { return waiting_bytes_ + in_flight_bytes_; }
  bool writing() const { return writing_; }

private:
  static void trim_idle(std::vector<frame>& frames) {
    if (frames.capacity() > 64) std::vector<frame>{}.swap(frames); // a burst's is not kept
  }
  template <class Other> static void trim_idle(Other& frames) { frames.trim(); }

  pushed start() {
    if (writing_) return pushed::queued;
    writing_ = true;
    return pushed::started;
  }

  Frames waiting_;
  std::size_t waiting_bytes_ = 0;   // in waiting_
  std::size_t in_flight_bytes_ = 0; // of the write in flight, not yet taken by the kernel
  bool writing_ = false;            // a flush is posted or a write is in flight
};

} // namespace chat::transport
