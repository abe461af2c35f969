// write_shape.hpp -- how tcp_connection lays out one write of many frames, and where such a write
// may stop when its peer is cut as a slow consumer. Pure functions of the frames' sizes: the
// connection calls them, unit tests call them without a socket.
#pragma once

#include "messages/frame.hpp"

#include <cstddef>

namespace chat::transport {

// A write of several frames that total at most this goes to the kernel as one contiguous copy
// rather than one iovec per frame: the kernel spends more per extra iovec segment than copying a
// small frame costs (BENCHMARKS.md "One contiguous buffer per write": -13 % CPU per delivery
// with one sender, -33 % with ten). Larger writes (a multi-part message's parts) are gathered.
inline constexpr std::size_t max_copied_write = 16 * 1024;

template <class Frames> std::size_t total_bytes(const Frames& frames) {
  std::size_t total = 0;
  for (const auto& f : frames)
    total += bytes(f).size();
  return total;
}

template <class Frames> bool copy_write(const Frames& frames, std::size_t total) {
  return frames.size() > 1 && total <= max_copied_write;
}

// Of a write of `frames` whose first `written` bytes are on the wire, how many bytes must still
// go so the peer never sees a torn frame: the rest of the frame begun on the wire, or nothing
// when `written` falls between two frames. What is after it may be dropped.
template <class Frames> std::size_t rest_of_begun_frame(const Frames& frames, std::size_t written) {
  std::size_t end = 0;
  for (const auto& f : frames) {
    if (end >= written) break;
    end += bytes(f).size();
  }
  return end > written ? end - written : 0;
}

} // namespace chat::transport
