// scenario.hpp -- the scripted-chat format: who sends what, and what each client must receive.
// Parsed here, run by scenario_runner; used by the integration tests (and chat-client --script).
//
//   # comment
//   ann > LOGIN ann            | ann < LOGIN "Login OK"
//   ann > BROADCAST_MSG hi     | ann < BROADCAST_MSG "ann: hi"
//   for i in 1..3: c$i > LOGIN c$i | c$i < LOGIN "Login OK"
//
// Steps on one line (split at | outside quotes) run left to right, lines top to bottom.
//   NAME > TYPE [payload]   send a frame (TYPE: LOGIN, SEND_MSG, BROADCAST_MSG, ERROR, PING, PONG
//                           or TYPE_<n>); payload is a "quoted string" or the rest of the step
//   NAME > RAW "bytes"      send bytes as they are (frames cut short, bad lengths)
//   NAME > CLOSE            close the connection once what is queued has gone out
//   NAME < TYPE "payload"   the next frame NAME receives must be exactly this
//   NAME << TYPE "payload"  per-sender order: consecutive << steps of NAME may arrive
//                           interleaved across senders (a broadcast's sender is the text before
//                           ": "), but each sender's frames must arrive in the order written
//   NAME < CLOSED           the server closes NAME's connection next
// Quoted strings know \" \\ \n \t \xNN. A client connects before its first step. Server PINGs
// are answered and skipped. At the end each client must have received nothing unexpected.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

struct scenario_step {
  enum class action { send, send_raw, close, expect, expect_by_sender, expect_closed };
  action what = action::send;
  std::string client;
  uint8_t type = 0;
  std::string payload;
  std::size_t line = 0; // in the scenario file, for failure messages
};

struct scenario {
  std::vector<scenario_step> steps;
};

// Parses `text`; on failure returns false with "line N: what is wrong" in `error`.
bool parse_scenario(std::string_view text, scenario& out, std::string& error);

// The step as it would be written, for failure messages.
std::string describe(const scenario_step& step);

} // namespace chat
