// protocol_json_decode_test.cpp -- the JSON form of the protocol (messages/protocol_json.hpp),
// JSON to frame: a text gives the very bytes the encoders make, whatever its key order and white
// space; every malformed input is refused with its exact reason; the size, depth and frame bounds
// hold. Helpers shared with protocol_json_encode_test.cpp: protocol_json_test_support.hpp.
#include "tests/unit/protocol_json_test_support.hpp"

#include "messages/protocol_json.hpp"
#include "messages/protocol_v2.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <variant>
#include <vector>

// Named, not anonymous: a unity build puts this file beside the other unit tests.
namespace protocol_json_decode_test {

namespace v2 = chat::v2;
using chat::json::direction;
using namespace protocol_json_test_support; // the directions and both conversions

// The reason frame_from_json gives, or "converted" when it made a frame.
std::string json_error(const std::string& text, direction from = to_server,
                       std::size_t max_frame = chat::default_max_frame) {
  auto got = chat::json::frame_from_json(text, from, max_frame);
  if (auto* err = std::get_if<std::string>(&got)) return *err;
  return "converted";
}

// The types with one shape read the same in both directions: a client's REPLY becomes the REPLY
// frame a TCP client could send (the session answers it), and a test client reads a server's
// JOIN echo the same way.
TEST(ProtocolJsonTest, OneShapeTypesIgnoreDirection) {
  auto reply = R"({"type":"reply","ref":1,"status":"ok","text":""})";
  EXPECT_EQ(from_json(reply, to_server), from_json(reply, to_client));
  EXPECT_EQ(from_json(reply, to_server), bytes_of(v2::encode(v2::reply{1, v2::status::ok, ""})));
  auto join = R"({"type":"join","ref":1,"channel":"rust"})";
  EXPECT_EQ(from_json(join, to_client), from_json(join, to_server));
}

// The bytes of docs/PROTOCOL.md's worked example, written by hand: the JSON form does not lean
// on the encoder for its own exactness.
TEST(ProtocolJsonTest, JoinHasTheWorkedExampleBytes) {
  std::string expected{"\x0B\x00\x00\x00\x08\x04\x03\x02\x01\x05lobby", 15};
  EXPECT_EQ(from_json(R"({"type":"join","ref":16909060,"channel":"lobby"})", to_server), expected);
}

// Key order and white space do not matter, and 64-bit fields take integers as well as strings.
TEST(ProtocolJsonTest, InputMayVaryInFormButNotInMeaning) {
  auto expected = bytes_of(v2::encode(
      v2::join_request{1, "rust", chat::replay_request{chat::replay_mode::since, 123, 40, 100}}));
  EXPECT_EQ(from_json(R"( { "replay" : { "count" : 100, "offset" : 40, "epoch" : 123,
                        "mode" : "since" }, "channel" : "rust", "ref" : 1, "type" : "join" } )",
                      to_server),
            expected);
  // Escapes decode to the bytes they stand for, and the writer escapes what JSON must.
  auto msg = v2::encode(v2::msg_request{1, "a", "\"q\" \\ \n\t\x01 /" + e_acute});
  EXPECT_EQ(
      from_json(R"({"type":"msg","ref":1,"channel":"a","text":"\"q\" \\ \n\t\u0001 \/\u00e9"})",
                to_server),
      bytes_of(msg));
  EXPECT_EQ(to_json(msg, to_server),
            R"({"type":"msg","ref":1,"channel":"a","text":"\"q\" \\ \n\t\u0001 /)" + e_acute +
                R"("})");
}

// Each malformed input and its exact reason.
TEST(ProtocolJsonTest, MalformedInputsAreRefusedWithTheirReason) {
  struct refusal {
    std::string json;
    direction from;
    std::string reason;
  };
  const std::string long_channel(256, 'c');
  const std::vector<refusal> table{
      {"", to_server, "invalid JSON at byte 0: incomplete JSON"},
      {"{", to_server, "invalid JSON at byte 1: incomplete JSON"},
      {R"({"type":"login","name":"ann"} x)", to_server, "invalid JSON at byte 30: extra data"},
      {R"({"type":"login","name":"ann",})", to_server, "invalid JSON at byte 29: syntax error"},
      {R"({"type":"ping","data":""} // hi)", to_server, "invalid JSON at byte 26: extra data"},
      {R"({'type':'ping'})", to_server, "invalid JSON at byte 1: syntax error"},
      {R"([{"type":"ping","data":""}])", to_server,
       "a message must be a JSON object, not an array"},
      {R"("login")", to_server, "a message must be a JSON object, not a string"},
      {"null", to_server, "a message must be a JSON object, not null"},
      {R"({"name":"ann"})", to_server, R"("type" is missing)"},
      {R"({"type":1})", to_server, R"("type" must be a string)"},
      {R"({"type":"jion","ref":1})", to_server, R"(unknown type "jion")"},
      {R"({"type":"LOGIN","name":"ann"})", to_server, R"(unknown type "LOGIN")"},
      {R"({"type":"send_msg","text":"hi"})", to_server, R"(unknown type "send_msg")"},
      {R"({"type":"a\"b"})", to_server, "unknown type"},
      {R"({"type":"login"})", to_server, R"(login: "name" is missing)"},
      {R"({"type":"login","name":["ann"]})", to_server, R"(login: "name" must be a string)"},
      {R"({"type":"login","text":"Login OK"})", to_server, R"(login: "name" is missing)"},
      {R"({"type":"login","token":7})", to_server, R"(login: "token" must be a string)"},
      {R"({"type":"ping"})", to_server, R"(ping: "data" is missing)"},
      {R"({"type":"join","ref":-1,"channel":"a"})", to_server,
       R"(join: "ref" must be an integer 0..4294967295)"},
      {R"({"type":"join","ref":4294967296,"channel":"a"})", to_server,
       R"(join: "ref" must be an integer 0..4294967295)"},
      {R"({"type":"join","ref":1.5,"channel":"a"})", to_server,
       R"(join: "ref" must be an integer 0..4294967295)"},
      {R"({"type":"join","ref":1.0,"channel":"a"})", to_server,
       R"(join: "ref" must be an integer 0..4294967295)"},
      {R"({"type":"join","ref":"1","channel":"a"})", to_server,
       R"(join: "ref" must be an integer 0..4294967295)"},
      {R"({"type":"join","ref":true,"channel":"a"})", to_server,
       R"(join: "ref" must be an integer 0..4294967295)"},
      {R"({"type":"join","ref":1,"channel":"a","chanel":"b"})", to_server,
       R"(join: unknown field "chanel")"},
      {R"({"type":"join","ref":1,"channel":")" + long_channel + R"("})", to_server,
       R"(join: "channel" must be at most 255 bytes)"},
      {R"({"type":"join","ref":1,"channel":"a","replay":[]})", to_server,
       R"(join: "replay" must be an object)"},
      {R"({"type":"join","ref":1,"channel":"a","replay":{"mode":"sometimes","epoch":"1","offset":"1","count":1}})",
       to_server, R"(join: "replay.mode" must be one of "none", "since", "last")"},
      {R"({"type":"join","ref":1,"channel":"a","replay":{"mode":1,"epoch":"1","offset":"1","count":1}})",
       to_server, R"(join: "replay.mode" must be one of "none", "since", "last")"},
      {R"({"type":"join","ref":1,"channel":"a","replay":{"mode":"since","epoch":"1","offset":"1"}})",
       to_server, R"(join: "replay.count" is missing)"},
      {R"({"type":"join","ref":1,"channel":"a","replay":{"mode":"last","epoch":"0","offset":"0","count":1,"since":1}})",
       to_server, R"(join: unknown field "replay.since")"},
      {R"({"type":"join","ref":1,"channel":"a","replay":{"mode":"since","epoch":"18446744073709551616","offset":"1","count":1}})",
       to_server,
       R"(join: "replay.epoch" must be a decimal string or an integer 0..18446744073709551615)"},
      {R"({"type":"join","ref":1,"channel":"a","replay":{"mode":"since","epoch":18446744073709551616,"offset":"1","count":1}})",
       to_server,
       R"(join: "replay.epoch" must be a decimal string or an integer 0..18446744073709551615)"},
      {R"({"type":"join","ref":1,"channel":"a","replay":{"mode":"since","epoch":"1","offset":"-1","count":1}})",
       to_server,
       R"(join: "replay.offset" must be a decimal string or an integer 0..18446744073709551615)"},
      {R"({"type":"join","ref":1,"channel":"a","replay":{"mode":"since","epoch":"1","offset":-1,"count":1}})",
       to_server,
       R"(join: "replay.offset" must be a decimal string or an integer 0..18446744073709551615)"},
      {R"({"type":"join","ref":1,"channel":"a","replay":{"mode":"since","epoch":"012","offset":"1","count":1}})",
       to_server,
       R"(join: "replay.epoch" must be a decimal string or an integer 0..18446744073709551615)"},
      {R"({"type":"join","ref":1,"channel":"a","replay":{"mode":"since","epoch":"0x10","offset":"1","count":1}})",
       to_server,
       R"(join: "replay.epoch" must be a decimal string or an integer 0..18446744073709551615)"},
      {R"({"type":"join","ref":1,"channel":"a","replay":{"mode":"since","epoch":"","offset":"1","count":1}})",
       to_server,
       R"(join: "replay.epoch" must be a decimal string or an integer 0..18446744073709551615)"},
      {R"({"type":"join","ref":1,"channel":"a","replay":{"mode":"since","epoch":1.5,"offset":"1","count":1}})",
       to_server,
       R"(join: "replay.epoch" must be a decimal string or an integer 0..18446744073709551615)"},
      {R"({"type":"who","ref":1,"channel":"a","after":"","limit":65536})", to_server,
       R"(who: "limit" must be an integer 0..65535)"},
      {R"({"type":"hello","version":2e0})", to_server,
       R"(hello: "version" must be an integer 0..65535)"},
      {R"({"type":"hello","version":2,"features":""})", to_server,
       R"(hello: unknown field "features")"},
      {"{\"type\":\"msg\",\"ref\":1,\"channel\":\"a\",\"text\":\"\xC3\x28\"}", to_server,
       R"(msg: "text" is not valid UTF-8)"},
      {"{\"type\":\"msg\",\"ref\":1,\"channel\":\"a\",\"text\":\"\xED\xA0\x80\"}", to_server,
       R"(msg: "text" is not valid UTF-8)"},
      {R"({"type":"msg","ref":1,"channel":"a","text":"\ud800"})", to_server,
       "invalid JSON at byte 50: syntax error"},
      {R"({"type":"msg","channel":"a","sender":"b","text":"hi","offset":"1"})", to_server,
       R"(msg: "ref" is missing)"},
      {R"({"type":"msg","ref":1,"channel":"a","text":"hi"})", to_client,
       R"(msg: "sender" is missing)"},
      {R"({"type":"reply","ref":1,"status":"fine","text":""})", to_client,
       R"(reply: "status" must be one of "ok", "refused")"},
      {R"({"type":"presence","channel":"a","user":"b","event":1})", to_client,
       R"(presence: "event" must be one of "joined", "left", "dropped")"},
      {R"({"type":"presence","channel":"a","user":"b","event":""})", to_client,
       R"(presence: "event" must be one of "joined", "left", "dropped")"},
      {R"({"type":"who_reply","ref":1,"channel":"a","total":2,"names":["a",2],"next":""})",
       to_client, R"(who_reply: "names[1]" must be a string)"},
      {R"({"type":"who_reply","ref":1,"channel":"a","total":2,"names":"a,b","next":""})", to_client,
       R"(who_reply: "names" must be an array)"},
      {R"({"type":"list_reply","ref":1,"total":1,"channels":[{"name":"a","members":-1}],"next":""})",
       to_client, R"(list_reply: "channels[0].members" must be an integer 0..4294967295)"},
      {R"({"type":"list_reply","ref":1,"total":1,"channels":["a"],"next":""})", to_client,
       R"(list_reply: "channels[0]" must be an object)"},
      {R"({"type":"history_reply","ref":1,"channel":"a","epoch":"1","entries":[{"offset":"1","time":"2","sender":"a","text":"b"}],"next_before":"0"})",
       to_client, R"(history_reply: "entries[0].time_ms" is missing)"},
      {R"({"type":"history_reply","ref":1,"channel":"a","epoch":"1","entries":[{"offset":"1","time_ms":"2","sender":"a","text":"b","x":1}],"next_before":"0"})",
       to_client, R"(history_reply: unknown field "entries[0].x")"},
      {R"({"type":"joined","ref":1,"channel":"a","recovery":"lost","epoch":"1","first":"1","last":"1","replayed":0})",
       to_client,
       R"(joined: "recovery" must be one of "not_asked", "replayed", "epoch_changed", "too_old", "future", "unavailable")"},
  };
  ASSERT_GE(table.size(), 20u);
  for (const auto& r : table)
    EXPECT_EQ(json_error(r.json, r.from), r.reason) << r.json;
}

TEST(ProtocolJsonTest, NestingIsBounded) {
  std::string deep;
  for (std::size_t i = 0; i < chat::json::max_depth + 1; ++i)
    deep += "[";
  EXPECT_EQ(json_error(deep), "JSON nested deeper than 8 levels");
  // Deep inside a message is refused the same way, before any field is read.
  EXPECT_EQ(json_error(R"({"type":"ping","data":[[[[[[[[[]]]]]]]]]})"),
            "JSON nested deeper than 8 levels");
  // Eight levels parse (and are then refused for what they are).
  EXPECT_EQ(json_error("[[[[[[[[]]]]]]]]"), "a message must be a JSON object, not an array");
}

TEST(ProtocolJsonTest, SizeIsBounded) {
  EXPECT_EQ(chat::json::max_json_size(65536), 8u * 65536 + 1024);
  EXPECT_EQ(chat::json::max_json_size(256), 8u * 256 + 1024);
  // One byte past the bound is refused before parsing; at the bound it is parsed.
  std::string text = R"({"type":"ping","data":")";
  text += std::string(chat::json::max_json_size(256) - text.size() - 2, ' ');
  text += "\"}";
  EXPECT_EQ(json_error(text, to_server, 256), R"(ping: "data" must be at most 255 bytes)");
  EXPECT_EQ(json_error(text + " ", to_server, 256), "JSON text of 3073 bytes is larger than 3072");
  // The largest JSON that is not a message parses within its memory bound: 262,000 numbers.
  std::string numbers = "[0";
  while (numbers.size() + 3 <= chat::json::max_json_size(65536))
    numbers += ",0";
  numbers += "]";
  EXPECT_EQ(json_error(numbers), "a message must be a JSON object, not an array");
}

// A text (or a list) the frame cannot hold is refused, with the frame bound the caller gives.
TEST(ProtocolJsonTest, FrameBoundIsKept) {
  std::string text(65535, 'x');
  EXPECT_EQ(json_error(R"({"type":"send","text":")" + text + R"("})"), "converted");
  EXPECT_EQ(json_error(R"({"type":"send","text":")" + text + R"(x"})"),
            R"(send: "text" must be at most 65535 bytes)");
  // The body holds 14 bytes besides MSG's text: type, ref, channel "rust", the text's length.
  EXPECT_EQ(json_error(R"({"type":"msg","ref":1,"channel":"rust","text":")" + text + R"("})"),
            "msg: the frame body would be 65549 bytes, more than max_frame 65536");
  EXPECT_EQ(json_error(R"({"type":"msg","ref":1,"channel":"rust","text":")" +
                       std::string(65536 - 14, 'x') + R"("})"),
            "converted");
  EXPECT_EQ(json_error(R"({"type":"msg","ref":1,"channel":"rust","text":")" +
                       std::string(65536 - 13, 'x') + R"("})"),
            "msg: the frame body would be 65537 bytes, more than max_frame 65536");
  // A small bound, as a server started with --max-frame 256 would pass.
  EXPECT_EQ(
      json_error(R"({"type":"dm","ref":1,"to":"bob","text":")" + std::string(250, 'x') + R"("})",
                 to_server, 256),
      "dm: the frame body would be 263 bytes, more than max_frame 256");
  // A WHO_REPLY cannot say more than 65535 names (its count is a u16).
  std::string names = "[\"\"";
  for (int i = 1; i < 65536; ++i)
    names += ",\"\"";
  names += "]";
  EXPECT_EQ(json_error(R"({"type":"who_reply","ref":1,"channel":"a","total":0,"names":)" + names +
                           R"(,"next":""})",
                       to_client, 1 << 20),
            R"(who_reply: "names" must have at most 65535 entries)");
}

} // namespace protocol_json_decode_test
