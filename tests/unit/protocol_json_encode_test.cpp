// protocol_json_encode_test.cpp -- the JSON form of the protocol (messages/protocol_json.hpp),
// frame to JSON: every frame type in both directions maps to one JSON text and back to the very
// bytes the v2 encoders and frame_encoder make; 64-bit values past 2^53 survive as decimal
// strings; frames without a JSON form are refused with their reason. Helpers shared with
// protocol_json_decode_test.cpp: protocol_json_test_support.hpp.
#include "tests/unit/protocol_json_test_support.hpp"

#include "messages/frame_encoder.hpp"
#include "messages/protocol_json.hpp"
#include "messages/protocol_v2.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

// Named, not anonymous: a unity build puts this file beside the other unit tests.
namespace protocol_json_encode_test {

namespace v2 = chat::v2;
using chat::json::direction;
using namespace protocol_json_test_support; // the directions and both conversions

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

const uint64_t past_2_53 = (uint64_t{1} << 53) + 1; // 9007199254740993: a JS number can't hold it
const uint64_t max_u64 = 0xFFFFFFFFFFFFFFFF;

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

} // namespace protocol_json_encode_test
