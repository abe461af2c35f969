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
//   NAME << SAME_ORDER_AS OTHER   the frames NAME took by its last << steps arrived in the very
//                           order OTHER's did (one order seen by all members of a channel)
//   NAME < CLOSED           the server closes NAME's connection next; NAME's next step, if
//                           any, connects it again (a reconnect: HELLO and LOGIN again)
// Quoted strings know \" \\ \n \t \xNN, and "x"*65 is "x" 65 times. A client connects before
// its first step. Server PINGs are answered and skipped. At the end each client must have
// received nothing unexpected.
//
// Protocol version 2 (messages/protocol_v2.hpp) is written by field, under the types' names:
//   ann > HELLO version=2      | ann < HELLO version=2 features="channels,direct,presence" *
//   ann > JOIN ref=1 channel=rust             | ann < REPLY ref=1 status=ok text=""
//   ann > MSG ref=2 channel=rust text=hello   | bob < MSG channel=rust sender=ann text=hello
//   ann > DM ref=3 to=bob text="psst"         | bob < DM sender=ann text=psst
//   ann < PRESENCE channel=rust user=bob event=joined        (event=joined|left|dropped)
//   ann > WHO ref=4 channel=rust after="" limit=0
//   ann < WHO_REPLY ref=4 channel=rust total=2 names=[ann,bob] next=""
//   ann > LIST ref=5 after="" limit=0 | ann < LIST_REPLY ref=5 total=1 channels=[rust:2] next=""
// Every field is written once, FIELD=VALUE, in any order; a value is a number, a bare word, a
// "quoted string", a [list] of names or of NAME:COUNT, ok|refused, joined|left|dropped.
//   >   the client's fields (HELLO, MSG and DM as requests); a client may send the server's
//       types too (REPLY ...), to prove they are refused. Encoded with v2::encode.
//   <   the server's fields of HELLO, MSG, DM, REPLY, PRESENCE, WHO_REPLY, LIST_REPLY; the frame
//       is decoded and compared field by field; `field=*` leaves one field open, a trailing `*`
//       all fields not written. A failure names each field that differs.
//   <<  as <, with no field open; a MSG's sender is its channel and sender, a DM's its sender.
// TYPE_<n> "payload" and RAW write any bytes by hand (fields that lie about their length).
// Recovery: in a JOIN, `epoch=@ offset=@` stand for what NAME got in that channel so far (its
// last JOINED's epoch and the offset of the last MSG it took there), across reconnects:
//   ann > JOIN ref=9 channel=rust mode=since epoch=@ offset=@ count=0
//
// `# options: --max-channels-per-user 2 ...` lines give chat-server options for the file's server
// in tests/scenarios (with chat-client --script, start the server with them instead).
#pragma once

#include "apps/scenario/scenario_v2.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

struct scenario_step {
  enum class action {
    send,
    send_raw,
    close,
    expect,
    expect_by_sender,
    expect_same_order, // payload: the other client
    expect_closed
  };
  action what = action::send;
  std::string client;
  uint8_t type = 0;
  std::string payload;  // version 2 by field: encoded (for < and << when no field is open)
  std::size_t line = 0; // in the scenario file, for failure messages
  // Version-2 steps written by field: the fields as written (for describe), and for < and <<
  // every field of the type, each compared unless left open.
  bool by_field = false;
  std::string written;
  bool uses_marks = false; // a JOIN with epoch=@ / offset=@: encoded when it is sent
  v2_fields fields;
};

struct scenario {
  std::vector<scenario_step> steps;
};

// Parses `text`; on failure returns false with "line N: what is wrong" in `error`.
bool parse_scenario(std::string_view text, scenario& out, std::string& error);

// `fields` with `epoch=@` and `offset=@` written out as these numbers.
std::string with_marks(std::string_view fields, uint64_t epoch, uint64_t offset);

// The step as it would be written, for failure messages.
std::string describe(const scenario_step& step);

} // namespace chat
