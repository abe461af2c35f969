// multipart_budget_test.cpp -- the server-wide bound on unfinished multi-part messages
// (--max-multipart-held, docs/PROTOCOL.md "Multi-part messages"), seen from raw clients of a
// chat-server process: one client's parts fill it, another's first part is refused with its
// ERROR and its message dropped, and once the first message is whole there is room again.
#include "tests/process/multipart_client.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

// Named, not anonymous: a unity build puts this file beside multipart_test.cpp.
namespace multipart_budget_test {

using namespace chat::reliability;
using namespace chat::reliability::multipart;

TEST(MultipartBudgetTest, APartPastTheServersBoundIsRefusedUntilThereIsRoomAgain) {
  server_process server{{"--max-frame=4096", "--max-multipart-held=10000",
                         "--data-dir=:memory:", "--log-level=warn", "--http-port=0"}};
  ASSERT_TRUE(server.started()) << server.describe();
  raw_client ann{server.port()}, bob{server.port()};
  ASSERT_TRUE(login_v3(ann, "ann"));
  ASSERT_TRUE(login_v3(bob, "bob"));
  // A PING in parts: its PONG goes to its sender alone, so the other's frames stay in order.
  auto ann_parts = parts_of(chat::encode(type::ping, text_of(12000, 1)), 4096, 0);
  auto bob_parts = parts_of(chat::encode(type::ping, text_of(12000, 2)), 4096, 0);
  ASSERT_EQ(ann_parts.size(), 3u);

  // Two of ann's three parts: about 8,150 bytes held; bob's first part does not fit beside them.
  ASSERT_TRUE(send_frame(ann, ann_parts[0]));
  ASSERT_TRUE(send_frame(ann, ann_parts[1]));
  ASSERT_TRUE(ann.send_frame(type::ping, "sync"));
  ASSERT_TRUE(next_frame_is(ann, {type::pong, "sync"}));
  ASSERT_TRUE(send_frame(bob, bob_parts[0]));
  EXPECT_TRUE(next_frame_is(bob, {type::error, "multi-part: message 0: the server holds its most "
                                               "of unfinished messages (10000 bytes); send it "
                                               "again later"}));
  ASSERT_TRUE(send_frame(bob, bob_parts[1])); // its message was dropped: ignored
  ASSERT_TRUE(bob.send_frame(type::ping, "sync"));
  EXPECT_TRUE(next_frame_is(bob, {type::pong, "sync"})) << "no second ERROR, no answer";
  auto held = metric(server.http_port(), "chat_multipart_held_bytes");
  EXPECT_GE(held, 8000);
  EXPECT_LE(held, 8200) << "ann's two parts, nothing of bob's";

  // ann's message is whole: its bytes are given back, and bob's next message fits.
  ASSERT_TRUE(send_frame(ann, ann_parts[2]));
  auto deadline = clock_type::now() + 5s;
  while (metric(server.http_port(), "chat_multipart_held_bytes") != 0 &&
         clock_type::now() < deadline)
    std::this_thread::sleep_for(20ms); // polls the page: the session handles the part meanwhile
  EXPECT_EQ(metric(server.http_port(), "chat_multipart_held_bytes"), 0);
  auto again = parts_of(chat::encode(type::ping, text_of(12000, 3)), 4096, 1);
  ASSERT_TRUE(send_frame(bob, again[0]));
  ASSERT_TRUE(send_frame(bob, again[1]));
  ASSERT_TRUE(bob.send_frame(type::ping, "sync"));
  EXPECT_TRUE(next_frame_is(bob, {type::pong, "sync"})) << "held, not refused";
  EXPECT_GE(metric(server.http_port(), "chat_multipart_held_bytes"), 8000);
}

} // namespace multipart_budget_test
