// wait_memory_test.cpp -- the readiness wait tcp_connection keeps pending lives in the
// connection's own room on this build's backend (io_uring, and epoll in the twin), not on the
// heap; a second wait, or one Asio made larger, still works from the heap.
#include "tests/support/bounded_run.hpp"
#include "transport/tcp_connection.hpp"
#include "transport/wait_memory.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace wait_memory_test {

namespace asio = boost::asio;
using chat::transport::tcp;
using chat::transport::wait_allocator;
using chat::transport::wait_memory;
using socket_type = chat::transport::tcp_connection::socket_type;
using namespace std::chrono_literals;

// A connected pair of loopback sockets: `ours` on the context's own executor, as a connection's.
struct socket_pair {
  explicit socket_pair(asio::io_context& io) : ours(io), peer(io) {
    tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
    peer.connect(acceptor.local_endpoint());
    acceptor.accept(ours);
  }
  socket_type ours;
  tcp::socket peer;
};

// One loop, a connected pair on it and the room the pair's waits are given.
class WaitMemoryTest : public ::testing::Test {
protected:
  // Runs the loop until `done()` holds, for at most 5 s (bounded by a timer: see bounded_run.hpp
  // for why not run_for).
  template <class Done> bool run_until(Done done) {
    return chat::test::run_until(io, done, std::chrono::seconds{5});
  }

  wait_memory room; // first: it outlives the loop, which frees a pending wait into it
  asio::io_context io;
  socket_pair pair{io};
};

TEST_F(WaitMemoryTest, APendingReadWaitLivesInTheRoom) {
  bool woke = false;
  pair.ours.async_wait(
      socket_type::wait_read,
      asio::bind_allocator(wait_allocator<void>{room}, [&](boost::system::error_code ec) {
        EXPECT_FALSE(ec);
        woke = true;
      }));
  EXPECT_TRUE(room.in_use()) << "the backend's wait operation is larger than "
                             << wait_memory::capacity << " bytes";
  chat::test::run_until(
      io, [] { return false; }, 20ms); // nothing to read: still pending
  EXPECT_FALSE(woke);
  EXPECT_TRUE(room.in_use());
  asio::write(pair.peer, asio::buffer("x", 1));
  ASSERT_TRUE(run_until([&] { return woke; }));
  EXPECT_FALSE(room.in_use()); // given back before the handler ran, ready for the next wait
}

TEST_F(WaitMemoryTest, ASecondOperationTakesTheHeapAndBothComplete) {
  int woke = 0;
  auto handler =
      asio::bind_allocator(wait_allocator<void>{room}, [&](boost::system::error_code ec) {
        EXPECT_FALSE(ec);
        ++woke;
      });
  pair.ours.async_wait(socket_type::wait_read, handler);
  pair.ours.async_wait(socket_type::wait_write, handler); // writable at once: from the heap
  ASSERT_TRUE(run_until([&] { return woke == 1; }));
  EXPECT_TRUE(room.in_use()); // the read wait still holds the room
  asio::write(pair.peer, asio::buffer("x", 1));
  ASSERT_TRUE(run_until([&] { return woke == 2; }));
  EXPECT_FALSE(room.in_use());
}

TEST_F(WaitMemoryTest, ACancelledWaitGivesTheRoomBack) {
  bool cancelled = false;
  pair.ours.async_wait(
      socket_type::wait_read,
      asio::bind_allocator(wait_allocator<void>{room}, [&](boost::system::error_code ec) {
        cancelled = ec == asio::error::operation_aborted;
      }));
  pair.ours.close();
  ASSERT_TRUE(run_until([&] { return cancelled; }));
  EXPECT_FALSE(room.in_use());
}

TEST(WaitMemoryRoomTest, AnOperationLargerOrMoreAlignedThanTheRoomComesFromTheHeap) {
  wait_memory room;
  void* big = room.allocate(wait_memory::capacity + 1, alignof(void*));
  EXPECT_FALSE(room.in_use());
  void* over_aligned = room.allocate(16, 2 * alignof(std::max_align_t));
  EXPECT_FALSE(room.in_use());
  room.deallocate(over_aligned, 2 * alignof(std::max_align_t));
  void* small = room.allocate(16, alignof(void*));
  EXPECT_TRUE(room.in_use());
  EXPECT_NE(big, small);
  room.deallocate(big, alignof(void*));
  EXPECT_TRUE(room.in_use());
  room.deallocate(small, alignof(void*));
  EXPECT_FALSE(room.in_use());
}

} // namespace wait_memory_test
