// history_store_test.cpp -- the store on a real disk (store/history_store.hpp): what a clean
// close keeps, the lock against a second server, and the sweep that deletes old messages of
// streams nobody loads (an inbox whose user never comes back).
#include "store/history_store.hpp"
#include "store/sqlite_db.hpp"

#include "tests/support/scratch_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
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

int64_t rows(const std::string& dir) {
  chat::store::sqlite_db db{dir + "/history.db"};
  auto count = db.prepare("SELECT count(*) FROM messages");
  count.step();
  return count.int64(0);
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
  EXPECT_EQ(rows(dir.path), 1);
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (rows(dir.path) > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  EXPECT_EQ(rows(dir.path), 0) << "the sweep deleted it";
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
