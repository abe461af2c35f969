// multipart_test.cpp -- multi-part messages over TCP (issue 14, docs/PROTOCOL.md "Multi-part
// messages"), seen from raw clients of a chat-server process: version 3's HELLO, a message
// larger than a frame reaching version-3 members whole and older ones as a notice, small
// messages overtaking a large one, every reassembly bound with its ERROR, and unfinished
// messages dropped at the timeout with their memory given back.
#include "messages/frame_encoder.hpp"
#include "messages/multipart.hpp"
#include "messages/multipart_reassembly.hpp"
#include "tests/process/history_client.hpp"
#include "tests/process/multipart_client.hpp"
#include "tests/process/ws_client.hpp"

#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace chat::reliability;
using namespace chat::reliability::multipart;
namespace v2 = chat::v2;

std::vector<std::string> small_frames(std::vector<std::string> more = {}) {
  std::vector<std::string> args{"--max-frame=4096", "--data-dir=:memory:", "--log-level=warn",
                                "--max-broadcast-rate=0"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// A client's receiving side: frames as they arrive, PARTs put back together.
struct receiver {
  raw_client& c;
  v2::message_reassembly parts{};
  int parts_seen = 0;

  // The next whole frame of `type` (parts joined), skipping other frames.
  std::optional<chat::inbound_frame> next(uint8_t type, milliseconds timeout = io_timeout) {
    auto deadline = clock_type::now() + timeout;
    while (clock_type::now() < deadline) {
      auto f = c.read_frame(std::chrono::duration_cast<milliseconds>(deadline - clock_type::now()));
      if (!f) return std::nullopt;
      chat::inbound_frame whole{f->type, f->payload};
      if (f->type == v2::part_type) {
        ++parts_seen;
        auto outcome = parts.add(f->payload, v2::reassembly_clock::now());
        EXPECT_TRUE(outcome.what == v2::part_outcome::kind::incomplete ||
                    outcome.what == v2::part_outcome::kind::complete)
            << outcome.error;
        if (outcome.what != v2::part_outcome::kind::complete) continue;
        whole = std::move(outcome.message);
      }
      if (whole.type == type) return whole;
    }
    return std::nullopt;
  }
};

TEST(MultipartTest, HelloThreeNamesTheBoundsAndHelloTwoIsUnchanged) {
  server_process server{small_frames({"--max-message=300000"})};
  ASSERT_TRUE(server.started()) << server.describe();
  raw_client three{server.port()};
  auto r3 = hello(three, 3);
  ASSERT_TRUE(r3) << three.failure();
  EXPECT_EQ(r3->version, 3);
  EXPECT_EQ(r3->features, "channels,direct,presence,history,multipart");
  EXPECT_EQ(r3->limits.max_frame, 4096u);
  EXPECT_EQ(r3->limits.max_message, 300000u);
  EXPECT_EQ(r3->limits.max_parts, 1024);
  raw_client later{server.port()};
  auto r9 = hello(later, 9);
  ASSERT_TRUE(r9);
  EXPECT_EQ(r9->version, 3) << "the highest both speak";
  raw_client two{server.port()};
  auto r2 = hello(two, 2);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->version, 2);
  EXPECT_EQ(r2->features, "channels,direct,presence,history");
  // A version-2 client's PART is a type it does not speak.
  ASSERT_TRUE(send_frame(two, v2::encode_part({0, 0, 2, "\x02hi"})));
  EXPECT_TRUE(next_frame_is(two, {type::error, "unknown frame type 21"}));
}

TEST(MultipartTest, LargeMessageReachesVersion3MembersWholeAndOthersAsANotice) {
  server_process server{small_frames()};
  ASSERT_TRUE(server.started()) << server.describe();
  raw_client ann_socket{server.port()}, bob_socket{server.port()}, carl{server.port()},
      dave{server.port()};
  ASSERT_TRUE(login_v3(ann_socket, "ann"));
  ASSERT_TRUE(login_v3(bob_socket, "bob"));
  ASSERT_TRUE(v2_login(carl, "carl"));
  ASSERT_TRUE(log_in(dave, "dave")); // version 1: in the lobby
  for (auto* c : {&ann_socket, &bob_socket, &carl})
    ASSERT_TRUE(join(*c, 1, "big", none()));
  ASSERT_TRUE(join(ann_socket, 2, "lobby", none()));

  // 200,000 bytes: 49 parts of a 4,096-byte frame.
  auto text = text_of(200000, 3);
  auto parts = parts_of(v2::encode(v2::msg_request{3, "big", text}), 4096, 0);
  ASSERT_EQ(parts.size(), 49u);
  for (const auto& p : parts)
    ASSERT_TRUE(send_frame(ann_socket, p));

  receiver ann{ann_socket}, bob{bob_socket};
  for (auto* r : {&ann, &bob}) {
    auto got = r->next(static_cast<uint8_t>(v2::type::msg));
    ASSERT_TRUE(got) << r->c.failure();
    auto m = std::get<v2::msg_delivery>(v2::decode_msg_delivery(got->payload));
    EXPECT_EQ(m.sender, "ann");
    EXPECT_EQ(m.channel, "big");
    EXPECT_TRUE(m.text == text) << "the text came back changed";
    EXPECT_GE(r->parts_seen, 49);
  }
  auto notice = next_of(carl, static_cast<v2::type>(type::error));
  ASSERT_TRUE(notice) << carl.failure();
  EXPECT_EQ(notice->payload, "not delivered: a message from ann in big (" +
                                 std::to_string(v2::msg_delivery_body_size(3, 3, 200000)) +
                                 " bytes) is too long for this client");

  // The same in the lobby, where a version-1 member gets BROADCAST_MSG.
  auto lobby_text = text_of(50000, 5);
  for (const auto& p : parts_of(v2::encode(v2::msg_request{4, "lobby", lobby_text}), 4096, 1))
    ASSERT_TRUE(send_frame(ann_socket, p));
  auto got = ann.next(static_cast<uint8_t>(v2::type::msg));
  ASSERT_TRUE(got);
  EXPECT_TRUE(std::get<v2::msg_delivery>(v2::decode_msg_delivery(got->payload)).text == lobby_text);
  EXPECT_TRUE(next_frame_is(dave, {type::error, "not delivered: a message from ann in lobby "
                                                "(50006 bytes) is too long for this client"}));

  // Chat goes on for everyone after it.
  ASSERT_TRUE(send_v2(ann_socket, v2::msg_request{5, "big", "small again"}));
  for (auto* c : {&bob_socket, &carl}) {
    auto m = next_msg(*c);
    ASSERT_TRUE(m) << c->failure();
    EXPECT_EQ(m->text, "small again");
  }
}

TEST(MultipartTest, SmallMessagesSentBetweenPartsAreHandledFirst) {
  server_process server{small_frames()};
  ASSERT_TRUE(server.started()) << server.describe();
  raw_client ann{server.port()}, bob_socket{server.port()};
  ASSERT_TRUE(login_v3(ann, "ann"));
  ASSERT_TRUE(login_v3(bob_socket, "bob"));
  ASSERT_TRUE(join(ann, 1, "dev", none()));
  ASSERT_TRUE(join(bob_socket, 1, "dev", none()));

  auto big = text_of(100000, 1);
  auto parts = parts_of(v2::encode(v2::msg_request{2, "dev", big}), 4096, 0);
  // Half the parts, three small messages, then the rest: as a fair sender interleaves them.
  for (std::size_t i = 0; i < parts.size() / 2; ++i)
    ASSERT_TRUE(send_frame(ann, parts[i]));
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(send_v2(ann, v2::msg_request{3, "dev", "quick " + std::to_string(i)}));
  for (std::size_t i = parts.size() / 2; i < parts.size(); ++i)
    ASSERT_TRUE(send_frame(ann, parts[i]));

  receiver bob{bob_socket};
  std::vector<std::string> order;
  for (int i = 0; i < 4; ++i) {
    auto got = bob.next(static_cast<uint8_t>(v2::type::msg));
    ASSERT_TRUE(got) << bob_socket.failure();
    auto m = std::get<v2::msg_delivery>(v2::decode_msg_delivery(got->payload));
    order.push_back(m.text.size() > 100 ? "big" : m.text);
    if (m.text.size() > 100) {
      EXPECT_TRUE(m.text == big);
    }
  }
  EXPECT_EQ(order, (std::vector<std::string>{"quick 0", "quick 1", "quick 2", "big"}));
}

TEST(MultipartTest, EachBoundAnswersItsErrorAndTheConnectionStays) {
  server_process server{small_frames({"--max-message=100000"})};
  ASSERT_TRUE(server.started()) << server.describe();
  raw_client ann{server.port()};
  ASSERT_TRUE(login_v3(ann, "ann"));
  auto error = [&](const std::string& text) { return next_frame_is(ann, {type::error, text}); };

  // Too large: refused at the part that passes --max-message; its later parts are ignored.
  auto parts = parts_of(chat::encode(type::send_msg, text_of(150000, 2)), 4096, 0);
  for (const auto& p : parts)
    ASSERT_TRUE(send_frame(ann, p));
  EXPECT_TRUE(error("multi-part: message 0: too large (at most 100000 bytes)"));
  // Too many parts, by its count alone.
  ASSERT_TRUE(send_frame(ann, v2::encode_part({1, 0, 2000, "\x02hi"})));
  EXPECT_TRUE(error("multi-part: message 1: too many parts (at most 1024)"));
  ASSERT_TRUE(send_frame(ann, v2::encode_part({2, 0, 1, "\x02hi"})));
  EXPECT_TRUE(error("multi-part: message 2: needs at least 2 parts"));
  ASSERT_TRUE(send_frame(ann, v2::encode_part({3, 5, 3, "x"})));
  EXPECT_TRUE(error("multi-part: message 3: part 5 out of range (count 3)"));
  ASSERT_TRUE(send_frame(ann, v2::encode_part({4, 0, 2, std::string{"\x15"} + "nested"})));
  EXPECT_TRUE(error("multi-part: message 4: a part may not carry a PART"));
  ASSERT_TRUE(send_frame(ann, v2::encode_part({5, 0, 2, ""})));
  EXPECT_TRUE(error("multi-part: message 5: empty part"));
  ASSERT_TRUE(ann.send_frame(v2::part_type, std::string("\x06\0\0\0\0\0", 6)));
  EXPECT_TRUE(error("malformed PART: count: payload ends inside the field"));
  // Four messages in progress at most.
  for (uint32_t id = 10; id < 14; ++id)
    ASSERT_TRUE(send_frame(ann, v2::encode_part({id, 0, 2, "\x02hello "})));
  ASSERT_TRUE(send_frame(ann, v2::encode_part({14, 0, 2, "\x02hello "})));
  EXPECT_TRUE(error("multi-part: message 14: too many messages in progress (at most 4)"));
  // Parts that disagree drop their message.
  ASSERT_TRUE(send_frame(ann, v2::encode_part({10, 0, 3, "\x02hello "})));
  EXPECT_TRUE(error("multi-part: message 10: parts disagree"));

  // Still served: a message in parts, whole, and a PING.
  for (uint32_t id = 11; id < 14; ++id)
    ASSERT_TRUE(send_frame(ann, v2::encode_part({id, 1, 2, "world"})));
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(next_frame_is(ann, {type::send_msg, "Echo: hello world"}));
  ASSERT_TRUE(ann.send_frame(type::ping, "still there"));
  EXPECT_TRUE(next_frame_is(ann, {type::pong, "still there"}));
}

TEST(MultipartTest, HistoryPagesCarryALargeMessageInPartsOrLeaveItOut) {
  server_process server{small_frames()};
  ASSERT_TRUE(server.started()) << server.describe();
  raw_client ann_socket{server.port()}, carl{server.port()};
  ASSERT_TRUE(login_v3(ann_socket, "ann"));
  ASSERT_TRUE(v2_login(carl, "carl"));
  ASSERT_TRUE(join(ann_socket, 1, "log", none()));
  ASSERT_TRUE(join(carl, 1, "log", none()));
  receiver ann{ann_socket};
  auto big = text_of(20000, 6);
  ASSERT_TRUE(send_v2(ann_socket, v2::msg_request{2, "log", "before"}));
  for (const auto& p : parts_of(v2::encode(v2::msg_request{3, "log", big}), 4096, 0))
    ASSERT_TRUE(send_frame(ann_socket, p));
  ASSERT_TRUE(send_v2(ann_socket, v2::msg_request{4, "log", "after"}));
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(ann.next(static_cast<uint8_t>(v2::type::msg)));

  ASSERT_TRUE(send_v2(ann_socket, v2::history_request{5, "log", 0, 10}));
  auto whole = ann.next(static_cast<uint8_t>(v2::type::history_reply));
  ASSERT_TRUE(whole) << ann_socket.failure();
  auto page = std::get<v2::history_reply>(v2::decode_history_reply(whole->payload));
  ASSERT_EQ(page.page.entries.size(), 3u);
  EXPECT_TRUE(page.page.entries[1].text == big);

  ASSERT_TRUE(send_v2(carl, v2::history_request{6, "log", 0, 10}));
  auto f = next_of(carl, v2::type::history_reply);
  ASSERT_TRUE(f) << carl.failure();
  auto short_page = std::get<v2::history_reply>(v2::decode_history_reply(f->payload));
  ASSERT_EQ(short_page.page.entries.size(), 2u);
  EXPECT_EQ(short_page.page.entries[0].text, "before");
  EXPECT_EQ(short_page.page.entries[1].text, "after");
  EXPECT_EQ(short_page.page.next_before, 0u) << "nothing older";
}

TEST(MultipartTest, UnfinishedMessagesAreDroppedAtTheTimeoutAndTheirMemoryFreed) {
  server_process server{
      {"--data-dir=:memory:", "--log-level=warn", "--http-port=0", "--multipart-timeout=700ms"}};
  ASSERT_TRUE(server.started()) << server.describe();
  raw_client ann{server.port()}, gone{server.port()};
  ASSERT_TRUE(login_v3(ann, "ann"));
  ASSERT_TRUE(login_v3(gone, "gone"));
  auto rss_before = status_kib(server.pid(), "VmRSS");

  // Three messages of four 64 KiB parts, three parts of each sent: about 590 KB held.
  auto sent_at = clock_type::now();
  for (uint32_t id = 0; id < 3; ++id) {
    auto parts =
        parts_of(chat::encode(type::send_msg, text_of(250000, static_cast<char>(id))), 65536, id);
    ASSERT_EQ(parts.size(), 4u);
    for (std::size_t i = 0; i < 3; ++i)
      ASSERT_TRUE(send_frame(ann, parts[i]));
  }
  // And a client that leaves with a part held: its memory goes with its session.
  ASSERT_TRUE(
      send_frame(gone, parts_of(chat::encode(type::send_msg, text_of(100000, 9)), 65536, 0)[0]));
  ASSERT_TRUE(ann.send_frame(type::ping, "sync"));
  ASSERT_TRUE(next_frame_is(ann, {type::pong, "sync"}));
  ASSERT_TRUE(gone.send_frame(type::ping, "sync"));
  ASSERT_TRUE(next_frame_is(gone, {type::pong, "sync"}));
  auto held = metric(server.http_port(), "chat_multipart_held_bytes");
  EXPECT_GE(held, 3 * 3 * 65527 + 65527);
  EXPECT_LE(held, 3 * 3 * 65536 + 65536);
  auto rss_holding = status_kib(server.pid(), "VmRSS");
  gone.close();

  for (uint32_t id = 0; id < 3; ++id)
    EXPECT_TRUE(next_frame_is(ann,
                              {type::error, "multi-part: message " + std::to_string(id) +
                                                ": timed out with 3 of 4 parts"},
                              5s));
  auto after_ms = ms(clock_type::now() - sent_at);
  EXPECT_GE(after_ms, 700) << "dropped before --multipart-timeout";
  // The gauge is back to zero: every held byte was given back (the leaver's at its close).
  auto deadline = clock_type::now() + 5s;
  while (metric(server.http_port(), "chat_multipart_held_bytes") != 0 &&
         clock_type::now() < deadline)
    std::this_thread::sleep_for(20ms); // polls the page: the close is the server's to see
  EXPECT_EQ(metric(server.http_port(), "chat_multipart_held_bytes"), 0);
  EXPECT_EQ(metric(server.http_port(), "chat_multipart_messages_total{outcome=\"dropped\"}"), 3);
  auto rss_after = status_kib(server.pid(), "VmRSS");
  if (rss_before && rss_holding && rss_after)
    std::cout << "[ memory   ] server VmRSS " << *rss_before << " KiB before, " << *rss_holding
              << " KiB holding " << held << " bytes of parts, " << *rss_after
              << " KiB after the timeout" << std::endl;
  // A late part of a dropped message is ignored, and chat goes on.
  auto late = parts_of(chat::encode(type::send_msg, text_of(250000, 0)), 65536, 0);
  ASSERT_TRUE(send_frame(ann, late[3]));
  ASSERT_TRUE(ann.send_frame(type::ping, "after"));
  EXPECT_TRUE(next_frame_is(ann, {type::pong, "after"}));
}

TEST(MultipartTest, LongDirectMessagesReachVersion3ClientsAndAreRefusedForOthers) {
  server_process server{small_frames()};
  ASSERT_TRUE(server.started()) << server.describe();
  raw_client ann{server.port()}, bob_socket{server.port()}, carl{server.port()};
  ASSERT_TRUE(login_v3(ann, "ann"));
  ASSERT_TRUE(login_v3(bob_socket, "bob"));
  ASSERT_TRUE(v2_login(carl, "carl"));
  auto text = text_of(30000, 4);
  for (const auto& p : parts_of(v2::encode(v2::dm_request{7, "bob", text}), 4096, 0))
    ASSERT_TRUE(send_frame(ann, p));
  auto ok = next_reply(ann);
  ASSERT_TRUE(ok) << ann.failure();
  EXPECT_EQ(ok->ref, 7u);
  EXPECT_EQ(ok->result, v2::status::ok) << ok->text;
  receiver bob{bob_socket};
  auto dm = bob.next(static_cast<uint8_t>(v2::type::dm));
  ASSERT_TRUE(dm) << bob_socket.failure();
  auto d = std::get<v2::dm_delivery>(v2::decode_dm_delivery(dm->payload));
  EXPECT_EQ(d.sender, "ann");
  EXPECT_TRUE(d.text == text);

  for (const auto& p : parts_of(v2::encode(v2::dm_request{8, "carl", text}), 4096, 1))
    ASSERT_TRUE(send_frame(ann, p));
  auto refused = next_reply(ann);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->ref, 8u);
  EXPECT_EQ(refused->result, v2::status::refused);
  EXPECT_EQ(refused->text, "message too long for the recipient's client");
  // carl got nothing of it, and hears the next one.
  ASSERT_TRUE(send_v2(ann, v2::dm_request{9, "carl", "short"}));
  auto next = next_of(carl, v2::type::dm);
  ASSERT_TRUE(next);
  EXPECT_EQ(std::get<v2::dm_delivery>(v2::decode_dm_delivery(next->payload)).text, "short");
}

} // namespace
