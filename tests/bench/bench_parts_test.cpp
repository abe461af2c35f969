// bench_parts_test.cpp -- chat-bench's pure parts: the stamp, the latency histogram, the
// sequence window, the send pacer and the Asio chat example's codec.
#include "apps/chat-bench/asio_example_codec.hpp"
#include "apps/chat-bench/latency_histogram.hpp"
#include "apps/chat-bench/send_pacer.hpp"
#include "apps/chat-bench/sequence_window.hpp"
#include "apps/chat-bench/stamp.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace chat::bench;

TEST(StampTest, ReadsBackWhatWasWritten) {
  std::string text(64, stamp_padding);
  stamp s{true, 0xdeadbeef, 42, 0xABCDEF012345, 0x0123456789abcdef};
  write_stamp(text.data(), s);
  auto back = read_stamp(text);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->measured);
  EXPECT_EQ(back->run, s.run);
  EXPECT_EQ(back->sender, s.sender);
  EXPECT_EQ(back->seq, s.seq);
  EXPECT_EQ(back->sent_ns, s.sent_ns);
  EXPECT_EQ(text.substr(stamp_size), std::string(64 - stamp_size, stamp_padding));
}

TEST(StampTest, TextWithoutAStampIsNotOne) {
  EXPECT_FALSE(read_stamp("hello"));
  EXPECT_FALSE(read_stamp(std::string(64, '#')));
  std::string text(64, stamp_padding);
  write_stamp(text.data(), stamp{});
  text[20] = 'g'; // not a hex digit
  EXPECT_FALSE(read_stamp(text));
}

TEST(LatencyHistogramTest, EveryValueLandsInABucketAtMostOnePercentWide) {
  for (uint64_t v : {0ull, 1ull, 255ull, 256ull, 257ull, 1000ull, 65537ull, 123456789ull,
                     (1ull << 40) + 12345}) {
    auto highest = bucket_highest_ns(latency_bucket(v));
    EXPECT_GE(highest, v);
    EXPECT_LE(highest - v, v / sub_buckets + 1) << v;
    EXPECT_LT(latency_bucket(v), latency_buckets);
  }
  EXPECT_EQ(latency_bucket(~0ull), latency_buckets - 1); // beyond the range: the last bucket
}

TEST(LatencyHistogramTest, QuantilesOfAKnownSpread) {
  latency_histogram h;
  for (uint64_t us = 1; us <= 1000; ++us)
    h.record(us * 1000);
  latency_summary sum;
  h.add_to(sum);
  EXPECT_EQ(sum.total, 1000u);
  EXPECT_NEAR(double(sum.quantile_ns(0.5)), 500000.0, 500000.0 / 100);
  EXPECT_NEAR(double(sum.quantile_ns(0.99)), 990000.0, 990000.0 / 100);
  EXPECT_EQ(sum.quantile_ns(1.0), 1000000u); // capped by the exact maximum
  EXPECT_EQ(sum.max_ns, 1000000u);
  EXPECT_EQ(latency_summary{}.quantile_ns(0.5), 0u);
}

TEST(SequenceWindowTest, TellsInOrderReorderedAndDuplicates) {
  sequence_window w;
  EXPECT_EQ(w.see(5), arrival::in_order); // the first one seen need not be 0
  EXPECT_EQ(w.see(6), arrival::in_order);
  EXPECT_EQ(w.see(6), arrival::duplicate);
  EXPECT_EQ(w.see(9), arrival::in_order);
  EXPECT_EQ(w.see(7), arrival::reordered);
  EXPECT_EQ(w.see(7), arrival::duplicate);
  EXPECT_EQ(w.see(5), arrival::duplicate);
  EXPECT_EQ(w.see(200), arrival::in_order);
  EXPECT_EQ(w.see(100), arrival::reordered); // too old to tell
}

TEST(SendPacerTest, WindowBoundsWhatIsInFlight) {
  send_pacer p{4, 0, 0};
  EXPECT_EQ(p.take(0).count, 4u);
  EXPECT_EQ(p.take(1).count, 0u);
  p.returned();
  EXPECT_EQ(p.take(2).count, 1u);
  EXPECT_EQ(p.in_flight(), 4u);
}

TEST(SendPacerTest, RateReleasesOneSlotPerIntervalAndSkipsWhatTheWindowHeldBack) {
  constexpr uint64_t second = 1000000000;
  send_pacer p{2, 10, second};
  EXPECT_EQ(p.take(0).count, 0u);          // before the start
  EXPECT_EQ(p.take(second).count, 1u);     // slot 0 at the start
  EXPECT_EQ(p.take(second + 1).count, 0u); // slot 1 is due 100 ms later
  EXPECT_EQ(p.take(second + second / 10).count, 1u);
  auto late = p.take(3 * second); // window full: nothing, nothing skipped yet
  EXPECT_EQ(late.count, 0u);
  p.returned();
  p.returned();
  auto g = p.take(3 * second); // slots 0..20 due, 2 sent: 2 more go, the 17 beyond are skipped
  EXPECT_EQ(g.count, 2u);
  EXPECT_EQ(g.skipped, 17u);
  EXPECT_EQ(p.tick_ns(), second / 10);
}

std::vector<std::string> decode_all(const std::string& bytes, std::size_t split, bool& ok) {
  asio_example_decoder d;
  std::vector<std::string> bodies;
  auto collect = [&bodies](std::string_view b) { bodies.emplace_back(b); };
  ok = d.feed(bytes.data(), split, collect) &&
       d.feed(bytes.data() + split, bytes.size() - split, collect);
  return bodies;
}

TEST(AsioExampleCodecTest, DecodesEverySplitPoint) {
  std::vector<char> wire;
  encode_asio_example(wire, "hello");
  encode_asio_example(wire, "");
  encode_asio_example(wire, std::string(512, 'x'));
  std::string bytes{wire.begin(), wire.end()};
  EXPECT_EQ(bytes.substr(0, 9), "   5hello");
  for (std::size_t split = 0; split <= bytes.size(); ++split) {
    bool ok = false;
    auto bodies = decode_all(bytes, split, ok);
    EXPECT_TRUE(ok) << split;
    ASSERT_EQ(bodies.size(), 3u) << split;
    EXPECT_EQ(bodies[0], "hello");
    EXPECT_EQ(bodies[1], "");
    EXPECT_EQ(bodies[2], std::string(512, 'x'));
  }
}

TEST(AsioExampleCodecTest, RefusesABadLength) {
  for (std::string header : {" 513", "abcd", "    ", "1 2 "}) {
    bool ok = true;
    auto bodies = decode_all(header + "rest", 0, ok);
    EXPECT_FALSE(ok) << header;
    EXPECT_TRUE(bodies.empty()) << header;
  }
}

} // namespace
