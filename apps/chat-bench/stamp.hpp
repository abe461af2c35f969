// stamp.hpp -- what each benchmark broadcast carries: run, sender, sequence, send time.
// Written by a sending client into its payload, read back by every receiving client. Pure.
//
// Layout, fixed width, ASCII only (the server checks UTF-8):
//   '#' phase(1: 'W' warm-up, 'M' measured) run(8 hex) sender(8 hex) seq(12 hex) sent_ns(16 hex)
// then '.' padding up to --payload bytes. The run id tells our broadcasts from those of another
// chat-bench process (or replayed history) on the same server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace chat::bench {

inline constexpr std::size_t stamp_size = 1 + 1 + 8 + 8 + 12 + 16;
inline constexpr char stamp_padding = '.';

struct stamp {
  bool measured = false; // sent after the warm-up, before the drain
  uint32_t run = 0;
  uint32_t sender = 0;
  uint64_t seq = 0;     // 48 bits on the wire
  uint64_t sent_ns = 0; // steady_clock, this machine
};

// Overwrites the first stamp_size bytes of `text` (which must be at least that long).
void write_stamp(char* text, const stamp& s);

// The stamp at the start of `text`, or nothing if `text` does not start with one.
std::optional<stamp> read_stamp(std::string_view text);

} // namespace chat::bench
