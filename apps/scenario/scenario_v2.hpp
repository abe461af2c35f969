// scenario_v2.hpp -- version-2 frames written by field in scenario files ("JOIN ref=1 channel=x"):
// text to v2::encode'd payloads, received payloads (v2 decoders) to fields compared one by one.
// Called by scenario.cpp (parsing steps) and scenario_runner.cpp (expecting, failure messages).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat {

// One field of a version-2 frame: its name and its value in the one spelling to_string gives
// (ref=1 channel=rust text="two words" names=[ann,bob] channels=[rust:2] status=ok
// event=joined); no value for a field the scenario left open with `*`.
struct v2_field {
  std::string name;
  std::optional<std::string> value;
};
using v2_fields = std::vector<v2_field>;

// A frame the client expects: every field of its type in wire order, and, when no field is
// left open, the exact payload (what a << step compares).
struct v2_expected {
  v2_fields fields;
  std::string payload;
  bool exact = true;
  // A MSG whose only open field is its offset (which the interleaving of senders decides):
  // `payload` has offset 0, and a << step matches it with any offset.
  bool open_offset_only = false;
};

// Field text of a frame of `type` (7..17) that a client sends: every field, FIELD=VALUE. On
// success `payload` is the encoded payload without the 5-byte header.
bool parse_v2_send(uint8_t type, std::string_view text, std::string& payload, std::string& error);

// Field text of a frame of `type` that the server sends (HELLO, MSG, DM, REPLY, PRESENCE,
// WHO_REPLY, LIST_REPLY): every field, or `field=*` for one not compared, or a trailing `*` for
// all fields not written.
bool parse_v2_expect(uint8_t type, std::string_view text, v2_expected& out, std::string& error);

// A received payload of a server-sent version-2 `type` as fields; false with the decoder's reason
// ("malformed MSG: ...") or "not a frame the server sends".
bool decode_v2(uint8_t type, std::string_view payload, v2_fields& out, std::string& error);

// "ref=1 status=ok text=\"\"": fields as a scenario writes them (`*` for open ones).
std::string to_string(const v2_fields& fields);

// Empty when `got` has every value `want` pins, else each difference:
// `text: "hi", want "hello"`, joined with "; ". Both must be of the same frame type.
std::string diff_v2(const v2_fields& want, const v2_fields& got);

// Whose delivery this is, for per-sender order (<< steps): "MSG <channel> <sender>" for a MSG
// delivery (one channel keeps one order), "DM <sender>" for a DM; nothing for other frames.
std::optional<std::string> v2_sender_key(uint8_t type, std::string_view payload);

// Appends a "quoted string" starting at text[pos] (the quote), with the escapes \" \\ \n \t
// \xNN, to `out`; "ab"*3 appends it 3 times. On success `pos` is just past what was read.
// Shared with scenario.cpp's payloads.
bool read_quoted(std::string_view text, std::size_t& pos, std::string& out, std::string& error);

// `s` as a field value: bare when it is a plain word, else quoted with escapes; a run of one
// character of 16 or more bytes as "c"*N (which the field parser reads back).
std::string quote_v2(std::string_view s);

} // namespace chat
