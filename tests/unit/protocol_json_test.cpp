// protocol_json_test.cpp -- the JSON form of the protocol (messages/protocol_json.hpp): every
// frame type in both directions maps to one JSON text and back to the very bytes the v2 encoders
// and frame_encoder make; 64-bit values past 2^53 survive as decimal strings; every malformed
// input is refused with its exact reason; the size, depth and frame bounds hold.
#include "messages/protocol_json.hpp"

#include "messages/frame_encoder.hpp"
#include "messages/protocol_v2.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace v2 = chat::v2;
using chat::json::direction;

namespace {

constexpr auto to_server = direction::client_to_server;
constexpr auto to_client = direction::server_to_client;

std::string bytes_of(const chat::frame& f) {
  const auto& b = chat::bytes(f);
  return {b.begin(), b.end()};
}

// The frame's bytes, or "error: <reason>", so a failure prints what went wrong.
std::string frame_or_error(const chat::json::converted<chat::frame>& got) {
  if (auto* err = std::get_if<std::string>(&got)) return "error: " + *err;
  return bytes_of(std::get<chat::frame>(got));
}

std::string json_or_error(const chat::json::converted<chat::json::json_text>& got) {
  if (auto* err = std::get_if<std::string>(&got)) return "error: " + *err;
  return std::get<chat::json::json_text>(got).text;
}

std::string from_json(const std::string& text, direction from,
                      std::size_t max_frame = chat::default_max_frame) {
  return frame_or_error(chat::json::frame_from_json(text, from, max_frame));
}

std::string to_json(const chat::frame& f, direction from) {
  return json_or_error(chat::json::json_from_frame(f, from));
}

// The reason frame_from_json gives, or "converted" when it made a frame.
std::string json_error(const std::string& text, direction from = to_server,
                       std::size_t max_frame = chat::default_max_frame) {
  auto got = chat::json::frame_from_json(text, from, max_frame);
  if (auto* err = std::get_if<std::string>(&got)) return *err;
  return "converted";
}

std::string frame_error(uint8_t type, const std::string& payload, direction from) {
  auto got = chat::json::json_from_frame(type, payload, from);
  if (auto* err = std::get_if<std::string>(&got)) return *err;
  return "converted";
}

chat::frame v1(chat::frame_type t, const std::string& payload) {
  return chat::encode(t, payload);
}

// One frame and the JSON text the writer makes of it. Both ways must hold: the text converts to
// exactly these bytes, and the frame converts to exactly this text.
struct mapping {
  const char* what;
  direction from;
  chat::frame frame;
  std::string json;
};

void expect_both_ways(const std::vector<mapping>& table) {
  for (const auto& m : table) {
    EXPECT_EQ(from_json(m.json, m.from), bytes_of(m.frame)) << m.what << ": JSON -> frame";
    EXPECT_EQ(to_json(m.frame, m.from), m.json) << m.what << ": frame -> JSON";
  }
}

const std::string e_acute = "\xC3\xA9";
const uint64_t past_2_53 = (uint64_t{1} << 53) + 1; // 9007199254740993: a JS number can't hold it
const uint64_t max_u64 = 0xFFFFFFFFFFFFFFFF;

} // namespace

TEST(ProtocolJsonTest, ClientFramesBothWays) {
  expect_both_ways({
      {"LOGIN", to_server, v1(chat::frame_type::login, "ann"), R"({"type":"login","name":"ann"})"},
      {"LOGIN with a token", to_server, v1(chat::frame_type::login, "ann\na.b.c"),
       R"({"type":"login","name":"ann","token":"a.b.c"})"},
      {"LOGIN with a token alone", to_server, v1(chat::frame_type::login, "\na.b.c"),
       R"({"type":"login","name":"","token":"a.b.c"})"},
      {"SEND_MSG", to_server, v1(chat::frame_type::send_msg, "hi"),
       R"({"type":"send","text":"hi"})"},
      {"BROADCAST_MSG", to_server, v1(chat::frame_type::broadcast_msg, "h" + e_acute),
       R"({"type":"broadcast","text":"h)" + e_acute + R"("})"},
      {"ERROR", to_server, v1(chat::frame_type::error, "oops"),
       R"({"type":"error","text":"oops"})"},
      {"PING", to_server, v1(chat::frame_type::ping, "t=1"), R"({"type":"ping","data":"t=1"})"},
      {"PONG", to_server, v1(chat::frame_type::pong, ""), R"({"type":"pong","data":""})"},
      {"HELLO", to_server, v2::encode(v2::hello_request{2}), R"({"type":"hello","version":2})"},
      {"JOIN short", to_server, v2::encode(v2::join_request{1, "rust"}),
       R"({"type":"join","ref":1,"channel":"rust"})"},
      {"JOIN since", to_server,
       v2::encode(v2::join_request{2, "rust",
                                   chat::replay_request{chat::replay_mode::since, 123, 40, 100}}),
       R"({"type":"join","ref":2,"channel":"rust",)"
       R"("replay":{"mode":"since","epoch":"123","offset":"40","count":100}})"},
      {"JOIN none", to_server,
       v2::encode(v2::join_request{3, "a", chat::replay_request{chat::replay_mode::none, 0, 0, 0}}),
       R"({"type":"join","ref":3,"channel":"a",)"
       R"("replay":{"mode":"none","epoch":"0","offset":"0","count":0}})"},
      {"JOIN last", to_server,
       v2::encode(v2::join_request{
           4294967295u, "a", chat::replay_request{chat::replay_mode::last, 0, 0, 4294967295u}}),
       R"({"type":"join","ref":4294967295,"channel":"a",)"
       R"("replay":{"mode":"last","epoch":"0","offset":"0","count":4294967295}})"},
      {"LEAVE", to_server, v2::encode(v2::leave_request{5, "rust"}),
       R"({"type":"leave","ref":5,"channel":"rust"})"},
      {"MSG", to_server, v2::encode(v2::msg_request{6, "rust", "hi"}),
       R"({"type":"msg","ref":6,"channel":"rust","text":"hi"})"},
      {"DM", to_server, v2::encode(v2::dm_request{7, "bob", "psst"}),
       R"({"type":"dm","ref":7,"to":"bob","text":"psst"})"},
      {"WHO", to_server, v2::encode(v2::who_request{8, "rust", "ann", 50}),
       R"({"type":"who","ref":8,"channel":"rust","after":"ann","limit":50})"},
      {"LIST", to_server, v2::encode(v2::list_request{9, "", 0}),
       R"({"type":"list","ref":9,"after":"","limit":0})"},
      {"HISTORY", to_server, v2::encode(v2::history_request{10, "rust", 41, 65535}),
       R"({"type":"history","ref":10,"channel":"rust","before":"41","limit":65535})"},
  });
}

TEST(ProtocolJsonTest, ServerFramesBothWays) {
  v2::hello_reply hello{2, "channels,direct,presence,history", {65536, 64, 100, 0, 100, 10000}};
  v2::who_reply who{8, "rust", 3, {"ann", "bob", ""}, "bob"};
  v2::list_reply list{9, 2, {{"rust", 2}, {"go", 4294967295u}}, ""};
  v2::joined_reply joined{1, "rust", {chat::recovery::epoch_changed, 123, 2, 41, 40}};
  v2::history_reply history{
      10, "rust", {123, {{40, 1700000000000, "ann", "a"}, {41, 0, "", ""}}, 39}};
  expect_both_ways({
      {"LOGIN", to_client, v1(chat::frame_type::login, "Login OK"),
       R"({"type":"login","text":"Login OK"})"},
      {"SEND_MSG", to_client, v1(chat::frame_type::send_msg, "Echo: hi"),
       R"({"type":"send","text":"Echo: hi"})"},
      {"BROADCAST_MSG", to_client, chat::encode_broadcast("ann", "hi"),
       R"({"type":"broadcast","text":"ann: hi"})"},
      {"ERROR", to_client, v1(chat::frame_type::error, "unknown frame type 99"),
       R"({"type":"error","text":"unknown frame type 99"})"},
      {"PING", to_client, v1(chat::frame_type::ping, ""), R"({"type":"ping","data":""})"},
      {"PONG", to_client, v1(chat::frame_type::pong, "t=1"), R"({"type":"pong","data":"t=1"})"},
      {"HELLO", to_client, v2::encode(hello),
       R"({"type":"hello","version":2,"features":"channels,direct,presence,history",)"
       R"("max_frame":65536,"max_channel_name":64,"max_channels_per_user":100,)"
       R"("max_channel_members":0,"page_size":100,"max_message_rate_milli":10000})"},
      {"MSG", to_client, v2::encode(v2::msg_delivery{"rust", "ann", "hi", 41}),
       R"({"type":"msg","channel":"rust","sender":"ann","text":"hi","offset":"41"})"},
      {"DM", to_client, v2::encode(v2::dm_delivery{"ann", "psst"}),
       R"({"type":"dm","sender":"ann","text":"psst"})"},
      {"REPLY ok", to_client, v2::encode(v2::reply{1, v2::status::ok, ""}),
       R"({"type":"reply","ref":1,"status":"ok","text":""})"},
      {"REPLY refused", to_client, v2::encode(v2::reply{2, v2::status::refused, "channel full"}),
       R"({"type":"reply","ref":2,"status":"refused","text":"channel full"})"},
      {"PRESENCE joined", to_client,
       v2::encode(v2::presence_event{"rust", "ann", v2::presence_kind::joined}),
       R"({"type":"presence","channel":"rust","user":"ann","event":"joined"})"},
      {"PRESENCE left", to_client,
       v2::encode(v2::presence_event{"rust", "ann", v2::presence_kind::left}),
       R"({"type":"presence","channel":"rust","user":"ann","event":"left"})"},
      {"PRESENCE dropped", to_client,
       v2::encode(v2::presence_event{"rust", "ann", v2::presence_kind::dropped}),
       R"({"type":"presence","channel":"rust","user":"ann","event":"dropped"})"},
      {"WHO_REPLY", to_client, v2::encode(who),
       R"({"type":"who_reply","ref":8,"channel":"rust","total":3,"names":["ann","bob",""],)"
       R"("next":"bob"})"},
      {"WHO_REPLY empty", to_client, v2::encode(v2::who_reply{1, "x", 0, {}, ""}),
       R"({"type":"who_reply","ref":1,"channel":"x","total":0,"names":[],"next":""})"},
      {"LIST_REPLY", to_client, v2::encode(list),
       R"({"type":"list_reply","ref":9,"total":2,"channels":[{"name":"rust","members":2},)"
       R"({"name":"go","members":4294967295}],"next":""})"},
      {"JOINED", to_client, v2::encode(joined),
       R"({"type":"joined","ref":1,"channel":"rust","recovery":"epoch_changed","epoch":"123",)"
       R"("first":"2","last":"41","replayed":40})"},
      {"HISTORY_REPLY", to_client, v2::encode(history),
       R"({"type":"history_reply","ref":10,"channel":"rust","epoch":"123","entries":[)"
       R"({"offset":"40","time_ms":"1700000000000","sender":"ann","text":"a"},)"
       R"({"offset":"41","time_ms":"0","sender":"","text":""}],"next_before":"39"})"},
  });
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

TEST(ProtocolJsonTest, EveryRecoveryHasItsWord) {
  const char* words[] = {"not_asked", "replayed", "epoch_changed",
                         "too_old",   "future",   "unavailable"};
  for (uint8_t i = 0; i <= chat::last_recovery; ++i) {
    v2::joined_reply joined{1, "a", {static_cast<chat::recovery>(i), 1, 1, 1, 0}};
    std::string json = std::string{R"({"type":"joined","ref":1,"channel":"a","recovery":")"} +
                       words[i] + R"(","epoch":"1","first":"1","last":"1","replayed":0})";
    EXPECT_EQ(to_json(v2::encode(joined), to_client), json);
    EXPECT_EQ(from_json(json, to_client), bytes_of(v2::encode(joined)));
  }
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

TEST(ProtocolJsonTest, SixtyFourBitValuesSurvivePast2To53) {
  v2::msg_delivery msg{"rust", "ann", "hi", past_2_53};
  auto json =
      R"({"type":"msg","channel":"rust","sender":"ann","text":"hi","offset":"9007199254740993"})";
  EXPECT_EQ(to_json(v2::encode(msg), to_client), json);
  EXPECT_EQ(from_json(json, to_client), bytes_of(v2::encode(msg)));
  // As a JSON integer too: the text is exact even where a JavaScript number would not be.
  EXPECT_EQ(from_json(R"({"type":"msg","channel":"rust","sender":"ann","text":"hi",)"
                      R"("offset":9007199254740993})",
                      to_client),
            bytes_of(v2::encode(msg)));

  v2::joined_reply joined{1, "a", {chat::recovery::replayed, max_u64, past_2_53, max_u64, 1}};
  auto joined_json = R"({"type":"joined","ref":1,"channel":"a","recovery":"replayed",)"
                     R"("epoch":"18446744073709551615","first":"9007199254740993",)"
                     R"("last":"18446744073709551615","replayed":1})";
  EXPECT_EQ(to_json(v2::encode(joined), to_client), joined_json);
  EXPECT_EQ(from_json(joined_json, to_client), bytes_of(v2::encode(joined)));
  EXPECT_EQ(from_json(R"({"type":"joined","ref":1,"channel":"a","recovery":"replayed",)"
                      R"("epoch":18446744073709551615,"first":9007199254740993,)"
                      R"("last":18446744073709551615,"replayed":1})",
                      to_client),
            bytes_of(v2::encode(joined)));

  v2::history_reply history{1, "a", {max_u64, {{max_u64, -1, "b", "c"}}, past_2_53}};
  auto history_json =
      R"({"type":"history_reply","ref":1,"channel":"a","epoch":"18446744073709551615",)"
      R"("entries":[{"offset":"18446744073709551615","time_ms":"18446744073709551615",)"
      R"("sender":"b","text":"c"}],"next_before":"9007199254740993"})";
  EXPECT_EQ(to_json(v2::encode(history), to_client), history_json);
  EXPECT_EQ(from_json(history_json, to_client), bytes_of(v2::encode(history)));
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

TEST(ProtocolJsonTest, FramesWithoutJsonFormAreRefused) {
  EXPECT_EQ(frame_error(0, "", to_client), "frame type 0 has no JSON form");
  EXPECT_EQ(frame_error(21, "", to_client), "frame type 21 has no JSON form");
  EXPECT_EQ(frame_error(99, "x", to_server), "frame type 99 has no JSON form");
  // The strict decoder's reason, as the server would give it.
  EXPECT_EQ(frame_error(8, std::string{"\x01\x00\x00\x00\x28", 5}, to_server),
            "malformed JOIN: channel: length 40 past the end of the payload");
  EXPECT_EQ(frame_error(14, std::string{"\x01\x00\x00\x00\x07\x00\x00", 7}, to_client),
            "malformed REPLY: status: unknown value 7");
  EXPECT_EQ(frame_error(7, std::string{"\x02\x00", 2}, to_client),
            "malformed HELLO: features: payload ends inside the field");
  // JSON strings are Unicode: a version-1 payload that is not UTF-8 has no JSON form.
  EXPECT_EQ(frame_error(1, "\xFF", to_server), "LOGIN: payload is not valid UTF-8");
  EXPECT_EQ(frame_error(5, "\xC0\x80", to_server), "PING: payload is not valid UTF-8");
}

TEST(ProtocolJsonTest, TypeNames) {
  EXPECT_EQ(chat::json::json_type_name(1), "login");
  EXPECT_EQ(chat::json::json_type_name(3), "broadcast");
  EXPECT_EQ(chat::json::json_type_name(20), "history_reply");
  EXPECT_EQ(chat::json::json_type_name(0), std::nullopt);
  EXPECT_EQ(chat::json::json_type_name(21), std::nullopt);
}
