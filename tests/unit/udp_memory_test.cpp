// udp_memory_test.cpp -- a flood from spoofed addresses leaves memory flat: 100,000 HELLOs, and
// as many DATAs with forged or stale cookies, each from an address of its own, keep nothing on
// the heap. Counted twice: this executable's operator new, and glibc's in-use heap (mallinfo2),
// which also sees what OpenSSL allocates.
#include "transport/udp_gate.hpp"

#include <gtest/gtest.h>

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

namespace {

std::atomic<std::size_t> udp_new_calls{0};
// Bytes given back through operator delete. Only for the record: a delete that is a bare
// free() trips GCC 12's -Wmismatched-new-delete in the ASan build, as multipart_memory_test's
// pattern (a size taken first) does not.
std::atomic<std::size_t> udp_deleted_bytes{0};

} // namespace

// Replaces the global operator new and delete of this executable (udp_tests) only; the other
// forms (arrays, nothrow, sized) forward to these in libstdc++.
void* operator new(std::size_t n) {
  ++udp_new_calls;
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc{};
  return p;
}

void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  udp_deleted_bytes += malloc_usable_size(p);
  std::free(p);
}

void operator delete(void* p, std::size_t) noexcept {
  operator delete(p);
}

namespace {

namespace udp = chat::transport::udp;
using verdict = udp::gate_answer::verdict;
using namespace std::chrono_literals;

const auto flood_t0 = udp::cookie_clock::time_point{} + 1000h;
const udp::datagram_limits flood_limits{};

std::size_t heap_in_use() {
  return mallinfo2().uordblks;
}

// The 10.x.y.z address and port of spoofer i: every one distinct.
udp::peer spoofed(uint32_t i) {
  return udp::peer::v4(
      {10, static_cast<uint8_t>(i >> 16), static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)},
      static_cast<uint16_t>(1024 + i % 60000));
}

// The flood below runs once before the counts are taken, so OpenSSL's one-time caches (the
// provider's algorithm table, its per-thread state) are not counted as growth.
template <class Flood> void expect_flat(Flood flood) {
  flood(1000);
  auto heap_before = heap_in_use();
  auto new_before = udp_new_calls.load();
  flood(100000);
  EXPECT_EQ(udp_new_calls.load(), new_before) << "not one operator new per datagram";
  auto heap_after = heap_in_use();
  EXPECT_LE(heap_after, heap_before + 4096)
      << "glibc's heap in use grew from " << heap_before << " to " << heap_after;
}

TEST(UdpMemoryTest, HellosFromSpoofedAddressesKeepNothing) {
  udp::cookies jar{flood_t0};
  const auto hello = udp::encode_hello({1, 2, 3, 4, 5, 6, 7, 8}, 1200);
  std::size_t replied = 0;
  expect_flat([&](uint32_t n) {
    for (uint32_t i = 0; i < n; ++i) {
      auto a = udp::answer_unverified(hello, spoofed(i), flood_t0 + 1s, jar, flood_limits);
      replied += a.what == verdict::reply;
    }
  });
  EXPECT_EQ(replied, 101000u);
}

TEST(UdpMemoryTest, ForgedAndStaleCookiesKeepNothing) {
  udp::cookies jar{flood_t0};
  auto stale = jar.make(spoofed(0), flood_t0);
  auto data = udp::encode_data(stale, std::string("\x04\x00\x00\x00\x05"
                                                  "abc",
                                                  8));
  std::size_t opened = 0;
  expect_flat([&](uint32_t n) {
    for (uint32_t i = 0; i < n; ++i) {
      // Other addresses: forged; the one it was made for, past its lifetime: stale.
      auto from = i % 2 ? spoofed(i + 1) : spoofed(0);
      auto a = udp::answer_unverified(data, from, flood_t0 + 200s, jar, flood_limits);
      opened += a.what == verdict::open;
    }
  });
  EXPECT_EQ(opened, 0u);
}

} // namespace
