// history_store_test.cpp -- the store on a real disk (store/history_store.hpp): what a clean
// close keeps, the lock against a second server, and the sweep that deletes old messages of
// streams nobody loads (an inbox whose user never comes back).
#include "store/history_store.hpp"

#include "tests/support/scratch_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <unistd.h>

namespace {

using namespace std::chrono_literals;
using chat::history_entry;
using chat::store::history_store;
using chat::store::retention;

std::shared_ptr<history_store> open(const std::string& dir, retention keep = {}) {
  auto opened = history_store::open(dir, keep);
  if (auto* why = std::get_if<std::string>(&opened)) ADD_FAILURE() << *why;
  return std::get<std::shared_ptr<history_store>>(opened);
}

void say(chat::store::stream_log& log, const std::string& text) {
  auto now = chat::store::wall_clock_ms();
  log.append({{log.next_offset(), now, "ann", text}}, now);
}

TEST(HistoryStoreTest, ACleanCloseKeepsMessagesEpochAndOffsets) {
  chat::test::scratch_dir dir;
  uint64_t epoch = 0;
  {
    auto store = open(dir.path);
    EXPECT_TRUE(store->durable());
    auto log = store->stream("#c");
    epoch = log->epoch();
    for (int i = 1; i <= 5; ++i)
      say(*log, "m" + std::to_string(i));
    store->close();
    EXPECT_EQ(store->written(), 5u);
  }
  auto store = open(dir.path);
  EXPECT_EQ(store->epochs_changed_at_open(), 0u);
  auto log = store->stream("#c");
  EXPECT_EQ(log->epoch(), epoch);
  EXPECT_EQ(log->next_offset(), 6u);
  EXPECT_EQ(log->kept(), 5u);
}

TEST(HistoryStoreTest, ASecondOpenOfTheSameDirectoryIsRefused) {
  chat::test::scratch_dir dir;
  auto first = open(dir.path);
  auto second = history_store::open(dir.path, {});
  ASSERT_TRUE(std::holds_alternative<std::string>(second));
  EXPECT_EQ(std::get<std::string>(second),
            "data directory " + dir.path + " is in use by another chat-server");
}

TEST(HistoryStoreTest, TheSweepDeletesOldMessagesOfStreamsNobodyLoads) {
  chat::test::scratch_dir dir;
  auto store = open(dir.path, retention{100, 300ms}); // sweeps every 150 ms
  {
    auto inbox = store->stream("@gone");
    say(*inbox, "for someone who never comes back");
    store->sync();
  } // nobody holds the stream now
  EXPECT_EQ(store->stored(), 1u);
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (store->stored() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  EXPECT_EQ(store->stored(), 0u) << "the sweep deleted it";
}

TEST(HistoryStoreTest, RetentionTrimsTheDiskAsWellAsMemory) {
  chat::test::scratch_dir dir;
  {
    auto store = open(dir.path, retention{3, 24h});
    auto log = store->stream("#c");
    for (int i = 1; i <= 10; ++i)
      say(*log, "m" + std::to_string(i));
    store->sync();
    EXPECT_EQ(store->stored(), 3u);
  }
  auto store = open(dir.path, retention{3, 24h});
  auto page = store->stream("#c")->page(0, 10, chat::store::wall_clock_ms());
  ASSERT_EQ(page.entries.size(), 3u);
  EXPECT_EQ(page.entries.front().offset, 8u);
  EXPECT_EQ(page.entries.back().text, "m10");
}

// The journal reads new messages from the stream's memory when it writes them (journal.hpp): a
// stream dropped right after its last append is still written in full, and with appends racing
// the writer far past retention, the disk ends with exactly what memory keeps, in order.
TEST(HistoryStoreTest, TheDiskGetsWhatMemoryKeepsWhileAppendsRaceTheWriter) {
  chat::test::scratch_dir dir;
  {
    auto store = open(dir.path, retention{50, 24h});
    {
      auto log = store->stream("#c");
      std::vector<history_entry> batch;
      for (int b = 0; b < 5000; ++b) {
        auto now = chat::store::wall_clock_ms();
        for (int i = 0; i < 3; ++i) {
          auto offset = log->next_offset() + batch.size();
          batch.push_back({offset, now, "ann", "m" + std::to_string(offset)});
        }
        log->append(batch, now);
        ASSERT_TRUE(batch.empty()) << "append takes the entries";
      }
    } // the channel lets go of the stream before the journal wrote its last appends
    store->close();
  }
  auto store = open(dir.path, retention{50, 24h});
  EXPECT_EQ(store->epochs_changed_at_open(), 0u);
  EXPECT_EQ(store->stored(), 50u);
  auto log = store->stream("#c");
  EXPECT_EQ(log->next_offset(), 15001u);
  auto page = log->page(0, 100, chat::store::wall_clock_ms());
  ASSERT_EQ(page.entries.size(), 50u);
  for (std::size_t i = 0; i < page.entries.size(); ++i) {
    EXPECT_EQ(page.entries[i].offset, 14951u + i);
    EXPECT_EQ(page.entries[i].text, "m" + std::to_string(14951u + i));
  }
}

// Keys are the name's length, the name, then the offset: "#a" offset 256 must not sort among
// "#ab"'s messages, nor 256 before 255.
TEST(HistoryStoreTest, StreamsWhoseNamesSharePrefixesStaySeparate) {
  chat::test::scratch_dir dir;
  {
    auto store = open(dir.path);
    auto a = store->stream("#a");
    auto ab = store->stream("#ab");
    for (int i = 1; i <= 300; ++i) {
      say(*a, "a" + std::to_string(i));
      if (i % 100 == 0) say(*ab, "ab" + std::to_string(i));
    }
  }
  auto store = open(dir.path);
  auto now = chat::store::wall_clock_ms();
  auto a = store->stream("#a")->page(0, 1000, now).entries;
  auto ab = store->stream("#ab")->page(0, 1000, now).entries;
  ASSERT_EQ(a.size(), 300u);
  for (std::size_t i = 0; i < a.size(); ++i)
    ASSERT_EQ(a[i].text, "a" + std::to_string(i + 1));
  ASSERT_EQ(ab.size(), 3u);
  EXPECT_EQ(ab[2].text, "ab300");
  EXPECT_EQ(ab[2].sender, "ann");
}

TEST(HistoryStoreTest, AFileThatIsNotAStoreIsRefusedAtOpen) {
  chat::test::scratch_dir dir;
  {
    std::ofstream junk{dir.path + "/history.mdb"};
    junk << std::string(8192, 'x');
  }
  auto opened = history_store::open(dir.path, {});
  ASSERT_TRUE(std::holds_alternative<std::string>(opened));
  EXPECT_EQ(std::get<std::string>(opened).rfind("cannot use data directory " + dir.path + ": ", 0),
            0u)
      << std::get<std::string>(opened);
}

TEST(HistoryStoreTest, MemoryOnlyKeepsAStreamAcrossItsHolders) {
  auto store = open(std::string{chat::store::memory_only});
  EXPECT_FALSE(store->durable());
  uint64_t epoch = 0;
  {
    auto log = store->stream("#c");
    epoch = log->epoch();
    say(*log, "kept");
  }
  auto log = store->stream("#c");
  EXPECT_EQ(log->epoch(), epoch);
  EXPECT_EQ(log->kept(), 1u);
}

} // namespace
