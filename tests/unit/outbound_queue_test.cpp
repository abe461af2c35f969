// outbound_queue_test.cpp -- a connection's outbound frames as a value: who starts the writing,
// what a write takes, how the owed bytes go down, and what a cut leaves.
#include "messages/frame_encoder.hpp"
#include "transport/outbound_queue.hpp"

#include <gtest/gtest.h>

#include <array>

namespace {

using outbound_queue = chat::transport::outbound_queue<>;
using pushed = outbound_queue::pushed;

chat::frame text(const std::string& s) {
  return chat::encode(chat::frame_type::send_msg, s);
}

std::size_t size_of(const chat::frame& f) {
  return chat::bytes(f).size();
}

TEST(OutboundQueueTest, TheFirstPushStartsTheWritingAndLaterOnesJoinIt) {
  outbound_queue q;
  auto a = text("a"), b = text("bb");
  EXPECT_EQ(q.push(std::array{a}, size_of(a)), pushed::started);
  EXPECT_EQ(q.push(std::array{b}, size_of(b)), pushed::queued) << "a write is on its way";
  EXPECT_EQ(q.bytes_owed(), size_of(a) + size_of(b));
  std::vector<chat::frame> in_flight;
  ASSERT_TRUE(q.take_all(in_flight));
  ASSERT_EQ(in_flight.size(), 2u);
  EXPECT_EQ(chat::bytes(in_flight[1]), chat::bytes(b)) << "in order";
  EXPECT_EQ(q.bytes_owed(), size_of(a) + size_of(b)) << "in flight is still owed";
  q.took(3, false);
  EXPECT_EQ(q.bytes_owed(), size_of(a) + size_of(b) - 3);
  q.took(100, true);
  EXPECT_EQ(q.bytes_owed(), 0u);
  in_flight.clear();
  EXPECT_FALSE(q.take_all(in_flight)) << "nothing waits: the writing stops";
  EXPECT_FALSE(q.writing());
  EXPECT_EQ(q.push(std::array{a}, size_of(a)), pushed::started) << "and the next push restarts it";
}

// tcp_connection's finished write goes straight to take_all (one lock, no took() first).
TEST(OutboundQueueTest, TakeAllSettlesTheWriteThatFinished) {
  outbound_queue q;
  auto a = text("a"), b = text("bbbb");
  q.push(std::array{a}, size_of(a));
  std::vector<chat::frame> in_flight;
  ASSERT_TRUE(q.take_all(in_flight));
  q.push(std::array{b}, size_of(b));
  in_flight.clear();
  ASSERT_TRUE(q.take_all(in_flight));
  EXPECT_EQ(q.bytes_owed(), size_of(b)) << "only the new write is owed";
  in_flight.clear();
  EXPECT_FALSE(q.take_all(in_flight));
  EXPECT_EQ(q.bytes_owed(), 0u) << "nothing waits and nothing is in flight";
  EXPECT_FALSE(q.writing());
}

TEST(OutboundQueueTest, ACutDropsWhatWaitsAndSendsTheNoticeLast) {
  outbound_queue q;
  auto a = text("a"), notice = chat::encode(chat::frame_type::error, "slow consumer");
  q.push(std::array{a, a, a}, 3 * size_of(a));
  std::vector<chat::frame> in_flight;
  ASSERT_TRUE(q.take_all(in_flight));
  q.push(std::array{a, a}, 2 * size_of(a)); // waits behind the write in flight
  EXPECT_EQ(q.replace_waiting(notice), pushed::queued) << "the write in flight goes on";
  q.in_flight_left(1); // what is left of the frame on the wire
  EXPECT_EQ(q.bytes_owed(), 1 + size_of(notice));
  q.took(1, true);
  in_flight.clear();
  ASSERT_TRUE(q.take_all(in_flight));
  ASSERT_EQ(in_flight.size(), 1u);
  EXPECT_EQ(chat::bytes(in_flight[0]), chat::bytes(notice));
}

TEST(OutboundQueueTest, ACutOfAnIdleQueueStartsTheWritingSoTheConnectionCanEnd) {
  outbound_queue q;
  EXPECT_EQ(q.replace_waiting(std::nullopt), pushed::started);
  std::vector<chat::frame> in_flight;
  EXPECT_FALSE(q.take_all(in_flight)) << "nothing to send: the writer finds it empty and ends";
}

TEST(OutboundQueueTest, DropWaitingKeepsTheWriteInFlightOwed) {
  outbound_queue q;
  auto a = text("abc");
  q.push(std::array{a}, size_of(a));
  std::vector<chat::frame> in_flight;
  q.take_all(in_flight);
  q.push(std::array{a}, size_of(a));
  q.drop_waiting();
  EXPECT_EQ(q.bytes_owed(), size_of(a));
}

} // namespace
