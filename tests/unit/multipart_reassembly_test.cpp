// multipart_reassembly_test.cpp -- message_reassembly: every refusal and its ERROR text, the
// UDP cases (parts reordered, duplicated, lost, late), interleaved messages, expiry freeing
// what a message held, the spent-id window, and whole-or-nothing under random loss.
#include "messages/multipart_reassembly.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

namespace v2 = chat::v2;
using kind = v2::part_outcome::kind;
using namespace std::chrono_literals;

const auto t0 = v2::reassembly_clock::time_point{} + 1h;

v2::reassembly_limits small_limits() {
  return {100, 8, 2, 10s}; // 100 bytes, 8 parts, 2 messages in progress, 10 s
}

// Adds one part; the outcome's kind, or "refused: <text>" style strings read better in tests.
struct feeder {
  v2::message_reassembly r{small_limits()};
  v2::part_outcome add(uint32_t id, uint16_t index, uint16_t count, std::string_view piece,
                       v2::reassembly_clock::time_point now = t0) {
    return r.add(v2::part{id, index, count, piece}, now);
  }
  std::string refusal(uint32_t id, uint16_t index, uint16_t count, std::string_view piece) {
    auto out = add(id, index, count, piece);
    EXPECT_EQ(out.what, kind::refused);
    return out.error;
  }
};

TEST(MessageReassemblyTest, PartsInAnyOrderGiveTheInnerFrame) {
  feeder f;
  EXPECT_EQ(f.add(5, 2, 3, "ef").what, kind::incomplete);
  EXPECT_EQ(f.add(5, 0, 3,
                  "\x02"
                  "ab")
                .what,
            kind::incomplete);
  EXPECT_EQ(f.r.held_bytes(), 5u);
  auto out = f.add(5, 1, 3, "cd");
  ASSERT_EQ(out.what, kind::complete);
  EXPECT_EQ(out.id, 5u);
  EXPECT_EQ(out.message, (chat::inbound_frame{2, "abcdef"}));
  EXPECT_EQ(f.r.held_bytes(), 0u);
  EXPECT_EQ(f.r.messages_in_progress(), 0u);
}

TEST(MessageReassemblyTest, EveryRefusalHasItsText) {
  feeder f;
  EXPECT_EQ(f.refusal(1, 0, 1, "\x02x"), "multi-part: message 1: needs at least 2 parts");
  EXPECT_EQ(f.refusal(2, 0, 0, "\x02x"), "multi-part: message 2: needs at least 2 parts");
  EXPECT_EQ(f.refusal(3, 0, 9, "\x02x"), "multi-part: message 3: too many parts (at most 8)");
  EXPECT_EQ(f.refusal(4, 3, 3, "x"), "multi-part: message 4: part 3 out of range (count 3)");
  EXPECT_EQ(f.refusal(5, 1, 2, ""), "multi-part: message 5: empty part");
  EXPECT_EQ(f.refusal(6, 1, 2, std::string(101, 'x')),
            "multi-part: message 6: too large (at most 100 bytes)");
  EXPECT_EQ(f.refusal(7, 0, 2, "\x15x"), "multi-part: message 7: a part may not carry a PART");
  EXPECT_EQ(f.r.held_bytes(), 0u) << "nothing refused is held";
  // The same checks for a message already in progress: each drops all it held.
  auto held = [&f](uint32_t id) {
    EXPECT_EQ(f.add(id, 0, 4,
                    "\x02"
                    "abc")
                  .what,
              kind::incomplete);
    EXPECT_EQ(f.r.held_bytes(), 4u);
  };
  held(10);
  EXPECT_EQ(f.refusal(10, 1, 5, "d"), "multi-part: message 10: parts disagree") << "count";
  held(11);
  EXPECT_EQ(f.refusal(11, 4, 4, "d"), "multi-part: message 11: part 4 out of range (count 4)");
  held(12);
  EXPECT_EQ(f.refusal(12, 0, 4,
                      "\x02"
                      "abX"),
            "multi-part: message 12: parts disagree");
  held(13);
  EXPECT_EQ(f.refusal(13, 1, 4, ""), "multi-part: message 13: empty part");
  held(14);
  EXPECT_EQ(f.refusal(14, 1, 4, std::string(97, 'x')),
            "multi-part: message 14: too large (at most 100 bytes)");
  EXPECT_EQ(f.r.held_bytes(), 0u);
  EXPECT_EQ(f.r.messages_in_progress(), 0u);
  // A PART inside: seen only when part 0 comes, whenever that is.
  EXPECT_EQ(f.add(15, 1, 2, "x").what, kind::incomplete);
  EXPECT_EQ(f.refusal(15, 0, 2, "\x15y"), "multi-part: message 15: a part may not carry a PART");
}

TEST(MessageReassemblyTest, ExactlyMaxMessageBytesIsAllowed) {
  feeder f;
  EXPECT_EQ(f.add(1, 0, 2, "\x03" + std::string(49, 'a')).what, kind::incomplete);
  auto out = f.add(1, 1, 2, std::string(50, 'b'));
  ASSERT_EQ(out.what, kind::complete);
  EXPECT_EQ(out.message.payload.size() + 1, 100u);
  EXPECT_EQ(f.add(2, 0, 2, "\x03" + std::string(49, 'a')).what, kind::incomplete);
  EXPECT_EQ(f.refusal(2, 1, 2, std::string(51, 'b')),
            "multi-part: message 2: too large (at most 100 bytes)");
}

TEST(MessageReassemblyTest, TooManyMessagesInProgressRefusesTheNewOneOnly) {
  feeder f;
  EXPECT_EQ(f.add(1, 0, 2,
                  "\x02"
                  "a")
                .what,
            kind::incomplete);
  EXPECT_EQ(f.add(2, 0, 2,
                  "\x02"
                  "b")
                .what,
            kind::incomplete);
  EXPECT_EQ(f.refusal(3, 0, 2,
                      "\x02"
                      "c"),
            "multi-part: message 3: too many messages in progress (at most 2)");
  EXPECT_EQ(f.add(3, 1, 2, "d").what, kind::late) << "its later parts start nothing";
  EXPECT_EQ(f.add(1, 1, 2, "x").message, (chat::inbound_frame{2, "ax"}));
  EXPECT_EQ(f.add(4, 1, 2, "y").what, kind::incomplete) << "room again";
}

// Over UDP (newest_wins) a message whose part was lost can never finish: at the bound, the
// oldest one gives its place to the new one, with its ERROR, instead of blocking every later
// message until it times out.
TEST(MessageReassemblyTest, OverDatagramsTheOldestMessageGivesWayToANewOne) {
  auto limits = small_limits();
  limits.newest_wins = true;
  v2::message_reassembly r{limits};
  auto t1 = t0 + std::chrono::milliseconds{1};
  EXPECT_EQ(r.add(v2::part{1, 0, 3,
                           "\x02"
                           "a"},
                  t0)
                .what,
            kind::incomplete);
  EXPECT_EQ(r.add(v2::part{2, 0, 2,
                           "\x02"
                           "b"},
                  t1)
                .what,
            kind::incomplete);
  auto third = r.add(v2::part{3, 0, 2,
                              "\x02"
                              "c"},
                     t1);
  EXPECT_EQ(third.what, kind::incomplete);
  EXPECT_EQ(third.pushed_out.id, 1u);
  EXPECT_EQ(third.pushed_out.error,
            "multi-part: message 1: dropped with 1 of 3 parts for a newer one");
  EXPECT_EQ(r.messages_in_progress(), 2u);
  EXPECT_EQ(r.add(v2::part{1, 1, 3, "x"}, t1).what, kind::late) << "its id is spent";
  EXPECT_EQ(r.add(v2::part{2, 1, 2, "y"}, t1).message, (chat::inbound_frame{2, "by"}));
  EXPECT_EQ(r.add(v2::part{3, 1, 2, "z"}, t1).message, (chat::inbound_frame{2, "cz"}));
  EXPECT_EQ(r.held_bytes(), 0u);
}

// The ERRORs of messages that time out together come in the order the messages started.
TEST(MessageReassemblyTest, ExpiredMessagesComeInTheOrderTheyStarted) {
  auto limits = small_limits();
  limits.max_messages = 4;
  v2::message_reassembly r{limits};
  for (uint32_t id = 0; id < 4; ++id)
    r.add(v2::part{id, 0, 2, "x"}, t0 + std::chrono::milliseconds{id});
  auto out = r.expire(t0 + limits.timeout + std::chrono::milliseconds{2});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].id, 0u);
  EXPECT_EQ(out[1].id, 1u);
  EXPECT_EQ(out[2].id, 2u);
  EXPECT_EQ(r.messages_in_progress(), 1u);
  EXPECT_EQ(r.held_bytes(), 1u) << "message 3's one byte";
}

TEST(MessageReassemblyTest, IdenticalDuplicatesAreIgnoredAndLateOnesToo) {
  feeder f;
  EXPECT_EQ(f.add(9, 0, 3,
                  "\x02"
                  "ab")
                .what,
            kind::incomplete);
  EXPECT_EQ(f.add(9, 2, 3, "ef").what, kind::incomplete);
  EXPECT_EQ(f.add(9, 0, 3,
                  "\x02"
                  "ab")
                .what,
            kind::duplicate)
      << "joined in place";
  EXPECT_EQ(f.add(9, 2, 3, "ef").what, kind::duplicate) << "waiting past a gap";
  EXPECT_EQ(f.r.held_bytes(), 5u) << "counted once";
  EXPECT_EQ(f.refusal(9, 2, 3, "eF"), "multi-part: message 9: parts disagree");
  EXPECT_EQ(f.add(9, 1, 3, "cd").what, kind::late) << "refused: the rest is ignored";
  EXPECT_EQ(f.add(10, 0, 2,
                  "\x02"
                  "a")
                .what,
            kind::incomplete);
  EXPECT_EQ(f.add(10, 1, 2, "b").what, kind::complete);
  for (uint16_t i : {0, 1, 1, 0})
    EXPECT_EQ(f.add(10, i, 2,
                    i == 0 ? "\x02"
                             "a"
                           : "b")
                  .what,
              kind::late)
        << "a whole copy arriving again is not delivered twice";
}

TEST(MessageReassemblyTest, MalformedPayloadsChangeNothing) {
  v2::message_reassembly r{small_limits()};
  EXPECT_EQ(r.add(std::string_view{"\x01\x00\x00\x00\x00\x00\x02", 7}, t0).error,
            "malformed PART: count: payload ends inside the field");
  EXPECT_EQ(r.add(std::string_view{}, t0).what, kind::malformed);
  auto ok = r.add(std::string_view{"\x01\x00\x00\x00\x00\x00\x02\x00\x02x", 10}, t0);
  EXPECT_EQ(ok.what, kind::incomplete);
  EXPECT_EQ(r.held_bytes(), 2u);
}

// One TCP connection: a large message's parts interleaved with small ones. Each small message
// completes at its last part, long before the large one; nothing waits behind it.
TEST(MessageReassemblyTest, InterleavedMessagesCompleteInTheOrderTheirLastPartsArrive) {
  v2::message_reassembly r{{1 << 20, 1024, 4, 30s}};
  std::string large = "\x0A" + std::string(4999, 'L');
  std::vector<std::string> delivered;
  auto feed = [&](uint32_t id, uint16_t index, uint16_t count, std::string_view piece) {
    auto out = r.add(v2::part{id, index, count, piece}, t0);
    ASSERT_TRUE(out.what == kind::incomplete || out.what == kind::complete) << out.error;
    if (out.what == kind::complete) delivered.push_back(out.message.payload);
  };
  for (uint16_t i = 0; i < 10; ++i) {
    feed(0, i, 10, std::string_view{large}.substr(i * 500, 500));
    feed(1 + i, 0, 2,
         "\x0A"
         "small ");                       // a small message in two parts,
    feed(1 + i, 1, 2, std::to_string(i)); // whole before the large one's next part
    EXPECT_EQ(r.messages_in_progress(), i < 9 ? 1u : 0u);
  }
  ASSERT_EQ(delivered.size(), 11u);
  for (int i = 0; i < 9; ++i)
    EXPECT_EQ(delivered[i], "small " + std::to_string(i));
  EXPECT_EQ(delivered[9], large.substr(1)) << "the large one completes with its last part";
  EXPECT_EQ(delivered[10], "small 9");
}

TEST(MessageReassemblyTest, ExpiryDropsWhatIsOldFreesItAndSpendsItsId) {
  feeder f;
  EXPECT_FALSE(f.r.next_expiry());
  EXPECT_EQ(f.add(1, 0, 3,
                  "\x02"
                  "ab")
                .what,
            kind::incomplete);
  EXPECT_EQ(f.add(1, 2, 3, "ef", t0 + 9s).what, kind::incomplete);
  EXPECT_EQ(f.add(2, 1, 2, "zz", t0 + 5s).what, kind::incomplete);
  EXPECT_EQ(f.r.held_bytes(), 7u);
  EXPECT_EQ(f.r.next_expiry(), t0 + 10s) << "from the first part, not the latest";
  EXPECT_TRUE(f.r.expire(t0 + 10s - 1ns).empty());
  auto gone = f.r.expire(t0 + 10s);
  ASSERT_EQ(gone.size(), 1u);
  EXPECT_EQ(gone[0].id, 1u);
  EXPECT_EQ(gone[0].held, 2u);
  EXPECT_EQ(gone[0].count, 3u);
  EXPECT_EQ(gone[0].error, "multi-part: message 1: timed out with 2 of 3 parts");
  EXPECT_EQ(f.r.held_bytes(), 2u);
  EXPECT_EQ(f.add(1, 1, 3, "cd", t0 + 11s).what, kind::late) << "never completes after all";
  EXPECT_EQ(f.r.next_expiry(), t0 + 15s);
  EXPECT_EQ(f.r.expire(t0 + 1h).size(), 1u);
  EXPECT_EQ(f.r.held_bytes(), 0u);
  EXPECT_EQ(f.r.messages_in_progress(), 0u);
  EXPECT_FALSE(f.r.next_expiry());
}

TEST(SpentIdsTest, AWindowBelowTheHighestIdSeen) {
  v2::spent_ids ids;
  EXPECT_FALSE(ids.spent(0));
  EXPECT_FALSE(ids.spent(4000000000u)) << "nothing seen yet";
  ids.see(5000);
  EXPECT_FALSE(ids.spent(5000));
  EXPECT_FALSE(ids.spent(5000 - 1023)) << "inside the window, not spent";
  EXPECT_TRUE(ids.spent(5000 - 1024)) << "older than the window";
  EXPECT_FALSE(ids.spent(5001));
  ids.spend(4500);
  ids.spend(5000);
  EXPECT_TRUE(ids.spent(4500));
  ids.see(5100); // moves the window; 4500 and 5000 stay spent
  EXPECT_TRUE(ids.spent(4500));
  EXPECT_TRUE(ids.spent(5000));
  EXPECT_FALSE(ids.spent(5050));
  ids.see(4500 + 1024); // 4500's slot is reused by 5524: cleared for it
  EXPECT_FALSE(ids.spent(5524));
  EXPECT_TRUE(ids.spent(4500)) << "now past the window";
  ids.see(0xFFFFFFFFu); // a jump past the window clears every slot
  EXPECT_FALSE(ids.spent(0xFFFFFFFFu - 1));
  EXPECT_TRUE(ids.spent(5524));
}

// Many messages, split with random budgets; their parts shuffled together, some duplicated,
// some lost. Every message is delivered whole, byte for byte, exactly once, if and only if
// every one of its parts arrived; nothing else is, and nothing stays held after the timeout.
TEST(MessageReassemblyTest, RandomLossDuplicationAndReorderingAreWholeOrNothing) {
  std::size_t whole = 0, lost = 0, ignored = 0;
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937 rng{seed};
    auto pick = [&rng](std::size_t lo, std::size_t hi) {
      return std::uniform_int_distribution<std::size_t>{lo, hi}(rng);
    };
    v2::message_reassembly r{{4096, 64, 16, 10s}};
    std::size_t budget = pick(12, 200), piece = budget - v2::part_overhead;
    v2::message_splitter s{{budget, 4096, 64}, static_cast<uint32_t>(pick(0, 1 << 20))};
    struct sent {
      std::string payload;
      bool lost = false; // a part of it never arrives
      int delivered = 0;
    };
    std::map<uint32_t, sent> messages;
    std::vector<v2::part> wire;     // parts refer to the pieces kept in `pieces`
    std::deque<std::string> pieces; // which never moves them
    for (std::size_t m = pick(1, 16); m > 0; --m) {
      std::string payload(pick(0, std::min<std::size_t>(64 * piece, 4096) - 1), '\0');
      for (auto& c : payload)
        c = static_cast<char>(pick(0, 255));
      uint32_t id = s.next_id();
      auto frames = std::get<std::vector<chat::frame>>(s.split(10, payload));
      if (frames.size() == 1) continue; // fits one frame: nothing to reassemble
      messages[id].payload = payload;
      for (const auto& f : frames) {
        auto p = std::get<v2::part>(v2::decode_part(chat::payload_of(f)));
        pieces.emplace_back(p.piece);
        if (pick(0, 99) < 3) {
          messages[id].lost = true;
          continue;
        }
        for (std::size_t copies = pick(0, 99) < 10 ? 2 : 1; copies > 0; --copies)
          wire.push_back({p.id, p.index, p.count, pieces.back()});
      }
    }
    std::shuffle(wire.begin(), wire.end(), rng);
    for (const auto& p : wire) {
      auto out = r.add(p, t0);
      ASSERT_NE(out.what, kind::refused) << out.error;
      ASSERT_LE(r.held_bytes(), 16u * 4096u);
      if (out.what == kind::duplicate || out.what == kind::late) ++ignored;
      if (out.what != kind::complete) continue;
      auto& m = messages.at(out.id);
      EXPECT_FALSE(m.lost);
      EXPECT_EQ(out.message.type, 10);
      EXPECT_EQ(out.message.payload, m.payload);
      ++m.delivered;
    }
    for (const auto& [id, m] : messages) {
      EXPECT_EQ(m.delivered, m.lost ? 0 : 1) << "message " << id;
      ++(m.lost ? lost : whole);
    }
    r.expire(t0 + 10s);
    EXPECT_EQ(r.held_bytes(), 0u);
    EXPECT_EQ(r.messages_in_progress(), 0u);
  }
  EXPECT_GT(whole, 500u) << "the seeds exercise every case";
  EXPECT_GT(lost, 200u);
  EXPECT_GT(ignored, 1000u);
  std::cout << whole << " messages whole, " << lost << " lost, " << ignored << " copies ignored\n";
}

} // namespace
