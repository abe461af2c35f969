// stream_log_test.cpp -- one stream's history in memory (store/stream_log.hpp): offsets,
// retention by count and by age, every replay decision and HISTORY paging, with no disk.
#include "store/stream_log.hpp"

#include <gtest/gtest.h>

namespace {

using chat::history_entry;
using chat::recovery;
using chat::replay_mode;
using chat::store::retention;
using chat::store::stream_log;
using namespace std::chrono_literals;

constexpr uint64_t epoch = 77;
constexpr int64_t t0 = 1'000'000;

// `n` messages "m<offset>" appended one batch each, at t0 + offset seconds.
std::unique_ptr<stream_log> log_with(uint64_t n, retention keep = {}) {
  auto log =
      std::make_unique<stream_log>("c", epoch, 1, std::deque<history_entry>{}, keep, nullptr);
  for (uint64_t i = 1; i <= n; ++i)
    log->append({{i, t0 + static_cast<int64_t>(i) * 1000, "ann", "m" + std::to_string(i)}},
                t0 + static_cast<int64_t>(i) * 1000);
  return log;
}

int64_t at(uint64_t second) {
  return t0 + static_cast<int64_t>(second) * 1000;
}

TEST(StreamLogTest, OffsetsFollowTheAppends) {
  auto log = log_with(3);
  EXPECT_EQ(log->next_offset(), 4u);
  auto p = log->position(at(3));
  EXPECT_EQ(p.epoch, epoch);
  EXPECT_EQ(p.first, 1u);
  EXPECT_EQ(p.last, 3u);
  stream_log empty{"e", epoch, 1, {}, {}, nullptr};
  EXPECT_EQ(empty.position(t0).last, 0u);
  EXPECT_EQ(empty.position(t0).first, 1u) << "first > last: nothing kept";
}

TEST(StreamLogTest, RetentionKeepsTheNewestByCountAndByAge) {
  auto log = log_with(10, retention{4, 1h});
  EXPECT_EQ(log->kept(), 4u);
  EXPECT_EQ(log->position(at(10)).first, 7u);
  auto young = log_with(10, retention{100, 3s});
  // At second 10 the messages of seconds 7..10 are at most 3 s old.
  EXPECT_EQ(young->position(at(10)).first, 7u);
  // Later, with no append, reading still trims: nothing is served past its age.
  EXPECT_EQ(young->position(at(100)).first, 11u);
  EXPECT_EQ(young->kept(), 0u);
  EXPECT_EQ(young->position(at(100)).last, 10u) << "offsets are not reused";
}

TEST(StreamLogTest, ReplaySinceAnOffsetGivesEverythingAfterIt) {
  auto log = log_with(10, retention{5, 1h}); // keeps 6..10
  auto r = log->take_replay({replay_mode::since, epoch, 7, 0}, at(10));
  EXPECT_EQ(r.position.result, recovery::replayed);
  ASSERT_EQ(r.entries.size(), 3u);
  EXPECT_EQ(r.entries.front().offset, 8u);
  EXPECT_EQ(r.position.replayed, 3u);
  // The offset just before the oldest kept one still recovers gap-free; older ones cannot.
  EXPECT_EQ(log->take_replay({replay_mode::since, epoch, 5, 0}, at(10)).entries.size(), 5u);
  EXPECT_EQ(log->take_replay({replay_mode::since, epoch, 4, 0}, at(10)).position.result,
            recovery::too_old);
  EXPECT_EQ(log->take_replay({replay_mode::since, epoch, 10, 0}, at(10)).entries.size(), 0u);
}

TEST(StreamLogTest, ReplaysThatCannotBeDoneSayWhyAndSendTheLastCount) {
  auto log = log_with(10);
  struct {
    chat::replay_request ask;
    recovery result;
    std::size_t entries;
  } cases[] = {
      {{replay_mode::since, epoch + 1, 3, 2}, recovery::epoch_changed, 2},
      {{replay_mode::since, epoch, 11, 4}, recovery::future, 4},
      {{replay_mode::since, epoch, 11, 0}, recovery::future, 0},
      {{replay_mode::last, 0, 0, 3}, recovery::replayed, 3},
      {{replay_mode::last, 0, 0, 1000}, recovery::replayed, 10},
      {{replay_mode::none, 0, 0, 5}, recovery::not_asked, 0},
  };
  for (auto& c : cases) {
    auto r = log->take_replay(c.ask, at(10));
    EXPECT_EQ(r.position.result, c.result);
    EXPECT_EQ(r.entries.size(), c.entries);
    if (!r.entries.empty()) {
      EXPECT_EQ(r.entries.back().offset, 10u) << "the newest ones";
    }
  }
}

TEST(StreamLogTest, PagesGoBackwardsFromTheNewest) {
  auto log = log_with(25);
  auto p = log->page(0, 10, at(25));
  ASSERT_EQ(p.entries.size(), 10u);
  EXPECT_EQ(p.entries.front().offset, 16u);
  EXPECT_EQ(p.entries.back().offset, 25u);
  EXPECT_EQ(p.next_before, 16u);
  p = log->page(p.next_before, 10, at(25));
  EXPECT_EQ(p.entries.front().offset, 6u);
  p = log->page(p.next_before, 10, at(25));
  ASSERT_EQ(p.entries.size(), 5u);
  EXPECT_EQ(p.entries.front().offset, 1u);
  EXPECT_EQ(p.next_before, 0u) << "the oldest page";
  EXPECT_EQ(log->page(1, 10, at(25)).entries.size(), 0u) << "nothing before the first";
  EXPECT_EQ(log->page(~uint64_t{0}, 3, at(25)).entries.back().offset, 25u);
}

} // namespace
