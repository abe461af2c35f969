// large_message_test.cpp -- chat-bench's --large-message parts without sockets: the large text
// and its check, the cut into PART frames and their reassembly back into the MSG request, the
// bounds read from a HELLO reply, the refs, and the per-message tracker.
#include "apps/chat-bench/large_message.hpp"
#include "apps/chat-bench/large_tracker.hpp"
#include "apps/chat-bench/stamp.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <variant>

namespace {

using namespace chat::bench;
namespace v2 = chat::v2;

v2::hello_reply hello_v3(uint32_t max_frame, uint32_t max_message) {
  v2::hello_reply hello;
  hello.version = v2::multipart_version;
  hello.limits.max_frame = max_frame;
  hello.limits.max_message = max_message;
  hello.limits.max_parts = v2::default_max_parts;
  return hello;
}

TEST(LargeTextTest, RoomForTheStampThenFiller) {
  auto text = large_text(1000);
  ASSERT_EQ(text.size(), 1000u);
  EXPECT_EQ(text.substr(0, stamp_size), std::string(stamp_size, stamp_padding));
  for (std::size_t i = stamp_size; i < text.size(); ++i)
    ASSERT_TRUE(text[i] >= 'a' && text[i] <= 'z') << i;
  EXPECT_EQ(large_text(1000), text) << "the same for every run and client";
}

TEST(LargeTextTest, IntactIgnoresTheStampAndSeesAnyOtherChange) {
  auto expected = large_text(20000);
  auto text = expected;
  write_stamp(text.data(), stamp{true, 7, 0, 3, 123456789});
  EXPECT_TRUE(large_text_intact(text, expected));

  auto changed = text;
  changed[12345] = changed[12345] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(large_text_intact(changed, expected));
  EXPECT_FALSE(large_text_intact(text.substr(0, text.size() - 1), expected)) << "too short";
  EXPECT_FALSE(large_text_intact(text + "x", expected)) << "too long";

  // Two pieces of one part's size swapped, as a reassembly in the wrong order would.
  constexpr std::size_t piece = 4096 - v2::part_overhead;
  auto swapped = text;
  std::swap_ranges(swapped.begin() + 100, swapped.begin() + 100 + piece,
                   swapped.begin() + 100 + piece);
  EXPECT_FALSE(large_text_intact(swapped, expected));
  // A piece repeated in the place of the next one.
  auto repeated = text;
  std::copy(text.begin() + 100, text.begin() + 100 + piece, repeated.begin() + 100 + piece);
  EXPECT_FALSE(large_text_intact(repeated, expected));
}

TEST(LargeMessageTest, CutIntoPartsAndPutBackTogether) {
  auto hello = hello_v3(4096, 1 << 20);
  auto splitter = large_splitter(hello.limits);
  auto text = large_text(200000);
  write_stamp(text.data(), stamp{true, 7, 0, 3, 123456789});
  std::vector<char> scratch;
  auto parts = cut_large_msg(splitter, scratch, large_ref(3), "bench-0", text);
  auto body = msg_request_body(7, text.size());
  ASSERT_EQ(parts.size(), splitter.parts_for(body));
  EXPECT_EQ(parts.size(), 49u); // 200,017 bytes in pieces of 4096 - 9
  for (auto& f : parts) {
    EXPECT_EQ(chat::type_of(f), v2::part_type);
    EXPECT_LE(chat::bytes(f).size() - chat::header_size, 4096u);
  }

  v2::message_reassembly incoming{large_receiver_limits(hello.limits)};
  auto now = v2::reassembly_clock::now();
  for (std::size_t i = 0; i + 1 < parts.size(); ++i)
    ASSERT_EQ(incoming.add(chat::payload_of(parts[i]), now).what,
              v2::part_outcome::kind::incomplete);
  auto last = incoming.add(chat::payload_of(parts.back()), now);
  ASSERT_EQ(last.what, v2::part_outcome::kind::complete) << last.error;
  EXPECT_EQ(last.message.type, static_cast<uint8_t>(v2::type::msg));
  auto request = v2::decode_msg_request(last.message.payload);
  auto* msg = std::get_if<v2::msg_request>(&request);
  ASSERT_NE(msg, nullptr) << std::get<std::string>(request);
  EXPECT_EQ(msg->ref, large_ref(3));
  EXPECT_EQ(msg->channel, "bench-0");
  EXPECT_EQ(msg->text, text);
  EXPECT_EQ(incoming.held_bytes(), 0u);

  // The next message gets the next id: both ends count from 0 per connection.
  auto next = cut_large_msg(splitter, scratch, large_ref(4), "bench-0", text);
  ASSERT_FALSE(next.empty());
  auto part = v2::decode_part(chat::payload_of(next.front()));
  ASSERT_TRUE(std::holds_alternative<v2::part>(part));
  EXPECT_EQ(std::get<v2::part>(part).id, 1u);
}

TEST(LargeMessageTest, TheServersBoundsSayWhetherItCanGo) {
  EXPECT_EQ(large_limits_problem(hello_v3(65536, 1 << 20), 7, 2, 200000), "");
  auto v2_server = hello_v3(65536, 0);
  v2_server.version = 2;
  EXPECT_NE(large_limits_problem(v2_server, 7, 2, 200000).find("answered HELLO {3} with version 2"),
            std::string::npos);
  // 1 MiB of text does not fit the default --max-message of 1 MiB: the MSG's own fields do not.
  auto too_long = large_limits_problem(hello_v3(65536, 1 << 20), 7, 2, 1 << 20);
  EXPECT_NE(too_long.find("more than the server's max_message 1048576"), std::string::npos)
      << too_long;
  EXPECT_EQ(large_limits_problem(hello_v3(65536, (1 << 20) + 1024), 7, 2, 1 << 20), "");
  // The server holds the delivery to --max-message too ("b0" as sender, an offset): 7 bytes more
  // than the request, with a name of two bytes.
  auto request = static_cast<uint32_t>(msg_request_body(7, 200000));
  auto delivery = large_limits_problem(hello_v3(65536, request), 7, 2, 200000);
  EXPECT_NE(delivery.find("as the server delivers it"), std::string::npos) << delivery;
  EXPECT_EQ(large_limits_problem(hello_v3(65536, request + 7), 7, 2, 200000), "");
  EXPECT_NE(large_limits_problem(hello_v3(1 << 20, 1 << 21), 7, 2, 200000).find("max_frame"),
            std::string::npos);
  EXPECT_NE(large_limits_problem(hello_v3(256, (1 << 20) + 1024), 7, 2, 1 << 20).find("parts"),
            std::string::npos);
}

TEST(LargeMessageTest, RefsAreToldFromNormalOnes) {
  EXPECT_TRUE(is_large_ref(large_ref(0)));
  EXPECT_TRUE(is_large_ref(large_ref(12345)));
  EXPECT_NE(large_ref(1), large_ref(2));
  EXPECT_FALSE(is_large_ref(0));
  EXPECT_FALSE(is_large_ref(123456)); // a normal MSG's ref is its sequence number
}

TEST(LargeTrackerTest, TimeToAllIsTheLastArrivalOfMessagesThatReachedAll) {
  large_tracker tracker{4};
  tracker.arrived(0, 1500); // in any order with sent()
  tracker.sent(0, 1000, 3);
  tracker.arrived(0, 4000);
  tracker.arrived(0, 2000);
  tracker.sent(1, 5000, 3); // one of three never arrives
  tracker.arrived(1, 6000);
  tracker.arrived(1, 7000);
  tracker.arrived(9, 7000); // past the table: ignored
  auto s = tracker.summarize();
  EXPECT_EQ(s.tracked, 2u);
  EXPECT_EQ(s.reached_all, 1u);
  EXPECT_EQ(s.to_all.total, 1u);
  EXPECT_EQ(s.to_all.max_ns, 3000u);
}

} // namespace
