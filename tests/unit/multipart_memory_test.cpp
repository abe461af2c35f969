// multipart_memory_test.cpp -- what message_reassembly takes from the heap, counted by this
// executable's own operator new: a forged part count allocates nothing for the parts it
// claims, and a message that never finishes gives back every byte when it times out.
#include "messages/multipart_reassembly.hpp"

#include <gtest/gtest.h>

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

namespace {

// Bytes live on the heap through operator new, as the allocator counts them (usable size).
std::atomic<std::size_t> live_bytes{0};

} // namespace

// Replaces the global operator new and delete of this executable (multipart_tests) only; the
// other forms (arrays, nothrow, sized) forward to these in libstdc++.
void* operator new(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc{};
  live_bytes += malloc_usable_size(p);
  return p;
}

void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  live_bytes -= malloc_usable_size(p);
  std::free(p);
}

void operator delete(void* p, std::size_t) noexcept {
  operator delete(p);
}

namespace {

namespace v2 = chat::v2;
using kind = v2::part_outcome::kind;
using namespace std::chrono_literals;

const auto start_time = v2::reassembly_clock::time_point{} + 1h;

TEST(MultipartMemoryTest, AForgedCountAllocatesNothingForThePartsItClaims) {
  v2::message_reassembly r{{1 << 20, 65535, 4, 30s}};
  std::string piece(16, 'x');
  piece[0] = '\x02';
  auto before = live_bytes.load();
  // 65535 parts of up to 1 MiB claimed; 16 bytes sent, each time from a new message.
  for (uint32_t id = 0; id < 4; ++id)
    ASSERT_EQ(r.add(v2::part{id, 0, 65535, piece}, start_time).what, kind::incomplete);
  auto taken = live_bytes.load() - before;
  EXPECT_EQ(r.held_bytes(), 64u);
  EXPECT_LT(taken, 4 * 256u) << "a few small blocks per message, whatever the count claims";
}

TEST(MultipartMemoryTest, MessagesThatNeverFinishGiveEveryByteBackWhenTheyTimeOut) {
  v2::message_reassembly r{{1 << 20, 1024, 4, 30s}};
  std::string piece(50000, 'p');
  piece[0] = '\x02';
  auto baseline = live_bytes.load();
  // Four messages of 20 parts, each missing its last part; parts past a gap, and in place.
  for (uint32_t id = 0; id < 4; ++id)
    for (uint16_t i = 0; i < 19; ++i)
      ASSERT_EQ(
          r.add(v2::part{id, static_cast<uint16_t>(id % 2 ? 18 - i : i), 20, piece}, start_time)
              .what,
          kind::incomplete);
  EXPECT_EQ(r.held_bytes(), 4u * 19 * 50000);
  EXPECT_GE(live_bytes.load() - baseline, r.held_bytes());
  EXPECT_LT(live_bytes.load() - baseline, 2 * r.held_bytes()) << "growth stays near the bytes";
  EXPECT_TRUE(r.expire(start_time + 29s).empty());
  EXPECT_EQ(r.expire(start_time + 30s).size(), 4u);
  EXPECT_EQ(r.held_bytes(), 0u);
  EXPECT_EQ(live_bytes.load(), baseline) << "memory back to where it was before the first part";
}

TEST(MultipartMemoryTest, ACompletedOrRefusedMessageKeepsNothing) {
  v2::message_reassembly r{{1 << 20, 1024, 4, 30s}};
  std::string piece(1000, 'c');
  piece[0] = '\x02';
  auto baseline = live_bytes.load();
  {
    for (uint16_t i = 0; i < 9; ++i)
      r.add(v2::part{1, i, 10, piece}, start_time);
    auto out = r.add(v2::part{1, 9, 10, piece}, start_time);
    ASSERT_EQ(out.what, kind::complete);
    EXPECT_EQ(out.message.payload.size(), 9999u);
  } // the delivered frame is the caller's, and gone here
  EXPECT_EQ(live_bytes.load(), baseline);
  for (uint16_t i = 0; i < 9; ++i)
    r.add(v2::part{2, i, 10, piece}, start_time);
  EXPECT_EQ(r.add(v2::part{2, 0, 10, "different"}, start_time).what, kind::refused);
  EXPECT_EQ(live_bytes.load(), baseline);
}

} // namespace
