// v2_parts_test.cpp -- chat-bench's pure parts for protocol version 2: the hot-path frames
// (v2_wire) against the project's codec, how clients and senders spread over channels, whom
// DMs go to and how their refs time acks (v2_load), and per-channel accounting (channel_stats).
#include "apps/chat-bench/channel_stats.hpp"
#include "apps/chat-bench/v2_load.hpp"
#include "apps/chat-bench/v2_wire.hpp"
#include "messages/protocol_v2.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace {

using namespace chat::bench;
namespace v2 = chat::v2;

std::vector<char> frame_bytes(const chat::frame& f) {
  return chat::bytes(f);
}

// The payload of an encoded frame: past the 4-byte length and the type byte.
std::string payload_of(const chat::frame& f) {
  auto& b = chat::bytes(f);
  return std::string(b.begin() + chat::header_size, b.end());
}

TEST(V2WireTest, RequestsHaveTheCodecsExactBytes) {
  std::vector<char> out;
  wire::append_msg(out, 0x01020304, "bench-7", "#Mhello");
  EXPECT_EQ(out, frame_bytes(v2::encode(v2::msg_request{0x01020304, "bench-7", "#Mhello"})));
  out.clear();
  wire::append_dm(out, 0xFFFFFFFF, "b12", "");
  EXPECT_EQ(out, frame_bytes(v2::encode(v2::dm_request{0xFFFFFFFF, "b12", ""})));
  // Appends: two frames in one buffer are the two encodings one after the other.
  out.clear();
  wire::append_msg(out, 1, "a", "x");
  wire::append_dm(out, 2, "b", "y");
  auto first = frame_bytes(v2::encode(v2::msg_request{1, "a", "x"}));
  auto second = frame_bytes(v2::encode(v2::dm_request{2, "b", "y"}));
  first.insert(first.end(), second.begin(), second.end());
  EXPECT_EQ(out, first);
}

TEST(V2WireTest, ReadsWhatTheServerEncodes) {
  // The views point into these payloads: they must outlive the checks.
  auto msg_payload = payload_of(v2::encode(v2::msg_delivery{"bench-0", "b3", "text", 0x100000002}));
  auto msg = wire::read_msg(msg_payload);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->channel, "bench-0");
  EXPECT_EQ(msg->sender, "b3");
  EXPECT_EQ(msg->text, "text");
  EXPECT_EQ(msg->offset, 0x100000002u);
  auto dm_payload = payload_of(v2::encode(v2::dm_delivery{"b9", std::string(300, 'x')}));
  auto dm = wire::read_dm(dm_payload);
  ASSERT_TRUE(dm);
  EXPECT_EQ(dm->sender, "b9");
  EXPECT_EQ(dm->text, std::string(300, 'x'));
  auto ok_payload = payload_of(v2::encode(v2::reply{77, v2::status::ok, ""}));
  auto ok = wire::read_reply(ok_payload);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->ref, 77u);
  EXPECT_TRUE(ok->ok);
  auto refused_payload =
      payload_of(v2::encode(v2::reply{0x80000001, v2::status::refused, "rate limited"}));
  auto refused = wire::read_reply(refused_payload);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->ref, 0x80000001u);
  EXPECT_FALSE(refused->ok);
  EXPECT_EQ(refused->text, "rate limited");
}

TEST(V2WireTest, RefusesPayloadsThatDoNotHoldExactlyTheFields) {
  auto msg = payload_of(v2::encode(v2::msg_delivery{"c", "s", "text"}));
  for (std::size_t cut = 0; cut < msg.size(); ++cut)
    EXPECT_FALSE(wire::read_msg(msg.substr(0, cut))) << cut;
  EXPECT_FALSE(wire::read_msg(msg + "!"));
  auto dm = payload_of(v2::encode(v2::dm_delivery{"s", "text"}));
  EXPECT_FALSE(wire::read_dm(dm.substr(0, dm.size() - 1)));
  EXPECT_FALSE(wire::read_dm(dm + "!"));
  auto reply = payload_of(v2::encode(v2::reply{1, v2::status::ok, ""}));
  EXPECT_FALSE(wire::read_reply(reply.substr(0, reply.size() - 1)));
  EXPECT_FALSE(wire::read_reply(reply + "!"));
}

TEST(ChannelSpreadTest, ClientsGoRoundRobinAndEveryChannelGetsItsShare) {
  constexpr std::size_t clients = 1000, channels = 100;
  std::vector<std::size_t> members(channels);
  for (std::size_t i = 0; i < clients; ++i)
    ++members[channel_of(i, channels)];
  for (std::size_t k = 0; k < channels; ++k) {
    EXPECT_EQ(members[k], 10u) << k;
    EXPECT_EQ(round_robin_share(k, clients, channels), 10u) << k;
  }
  // 31 clients over 3 channels: 11, 10, 10, summing to the clients.
  EXPECT_EQ(round_robin_share(0, 31, 3), 11u);
  EXPECT_EQ(round_robin_share(1, 31, 3), 10u);
  EXPECT_EQ(round_robin_share(2, 31, 3), 10u);
  EXPECT_EQ(channel_name(0), "bench-0");
  EXPECT_EQ(channel_name(99), "bench-99");
}

TEST(ChannelSpreadTest, SendersSpreadLikeClientsAndRankWithinTheirChannel) {
  // --senders 30 over 10 channels: three per channel, ranked 0, 1, 2 in each, so that a member
  // needs a sequence window per sender of its own channel only.
  constexpr std::size_t senders = 30, channels = 10;
  std::vector<std::set<std::size_t>> ranks(channels);
  for (std::size_t s = 0; s < senders; ++s) {
    auto rank = sender_rank(s, channels);
    EXPECT_LT(rank, round_robin_share(channel_of(s, channels), senders, channels)) << s;
    EXPECT_TRUE(ranks[channel_of(s, channels)].insert(rank).second) << s; // unique in channel
  }
  for (auto& r : ranks)
    EXPECT_EQ(r, (std::set<std::size_t>{0, 1, 2}));
  // --senders K: one per channel.
  for (std::size_t k = 0; k < channels; ++k)
    EXPECT_EQ(round_robin_share(k, channels, channels), 1u);
}

TEST(DirectLoadTest, DmsRotateOverTheNextPeersAndNeverToTheSender) {
  constexpr std::size_t clients = 10;
  std::set<std::size_t> all;
  for (uint64_t n = 0; n < 2 * clients; ++n) {
    auto to = dm_receiver(3, n, clients, 0);
    EXPECT_NE(to, 3u) << n;
    all.insert(to);
  }
  EXPECT_EQ(all.size(), clients - 1); // every other client
  std::vector<std::size_t> ring;
  for (uint64_t n = 0; n < 6; ++n)
    ring.push_back(dm_receiver(8, n, clients, 3));
  EXPECT_EQ(ring, (std::vector<std::size_t>{9, 0, 1, 9, 0, 1})); // wraps past the last client
  EXPECT_EQ(dm_receiver(0, 5, 1, 0), 0u);                        // alone: to itself
}

TEST(DirectLoadTest, ARefTimesItsAckAndSaysWhetherItWasMeasured) {
  uint64_t sent = 123456789012345;
  auto ref = dm_ref(sent, true);
  EXPECT_TRUE(dm_ref_is_measured(ref));
  EXPECT_FALSE(dm_ref_is_measured(dm_ref(sent, false)));
  auto age = dm_ref_age_ns(ref, sent + 50000);
  EXPECT_NEAR(static_cast<double>(age), 50000.0, 128.0);
  EXPECT_LT(dm_ref_age_ns(ref, sent), 128u);
  // Across the wrap of the 31-bit time field.
  uint64_t before_wrap = (uint64_t{dm_ref_time_mask} << dm_ref_shift) - 1000;
  auto late = dm_ref(before_wrap, false);
  EXPECT_NEAR(static_cast<double>(dm_ref_age_ns(late, before_wrap + 10000)), 10000.0, 128.0);
}

TEST(ChannelStatsTest, ShardsSumPerChannelAndLostIsWhatWasOwedButNotDelivered) {
  channel_shard a, b;
  a.add(channel_counter::sent, 10);
  a.add(channel_counter::expected, 100);
  a.add(channel_counter::delivered, 60);
  b.add(channel_counter::delivered, 38);
  b.add(channel_counter::duplicates, 1);
  for (uint64_t us = 1; us <= 100; ++us)
    (us % 2 ? a : b).latency.record(us * 1000);
  channel_totals t;
  t.add(a);
  t.add(b);
  EXPECT_EQ(t[channel_counter::sent], 10u);
  EXPECT_EQ(t[channel_counter::delivered], 98u);
  EXPECT_EQ(t[channel_counter::duplicates], 1u);
  EXPECT_EQ(t.lost(), 2u);
  EXPECT_EQ(t.latency.total, 100u);
  // Coarser buckets than the totals' (1/32 of the value), but the same layout rules.
  EXPECT_NEAR(double(t.latency.quantile_ns(0.5)), 50000.0, 50000.0 / 32);
  EXPECT_NEAR(double(t.latency.quantile_ns(0.99)), 99000.0, 99000.0 / 32);
  EXPECT_EQ(t.latency.max_ns, 100000u);
  channel_totals over;
  over.add(b); // more delivered than owed (a member joined late) is not negative loss
  EXPECT_EQ(over.lost(), 0u);
}

TEST(ChannelStatsTest, TheChannelLayoutKeepsItsBucketsWithinAThirtySecondOfTheValue) {
  for (uint64_t v : {0ull, 63ull, 64ull, 1000ull, 123456ull, 60000000000ull}) {
    auto highest = channel_layout::highest_ns(channel_layout::bucket(v));
    EXPECT_GE(highest, v);
    EXPECT_LE(highest - v, v / channel_layout::sub_buckets + 1) << v;
  }
  EXPECT_EQ(channel_layout::bucket(~0ull), channel_layout::buckets - 1);
}

} // namespace
