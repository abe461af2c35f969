// ws_socket_test.cpp -- the plain WebSocket stream's next layer: a read into Beast's circular
// buffer (two pieces of Beast's own type) goes to Asio as two pieces, so the pending read an
// idle WebSocket connection keeps is a few hundred bytes, not a kilobyte; and the bytes land in
// order across both pieces, or across more on the general path. Over loopback sockets.
#include "tests/support/bounded_run.hpp"
#include "transport/ws_socket.hpp"

#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/static_buffer.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <iterator>
#include <memory>
#include <string>

namespace ws_socket_test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using chat::transport::ws_socket;
using namespace std::chrono_literals;

// Allocates from the heap, noting the largest block asked for: the size of the operation Asio
// makes for a read bound to it.
template <class T> struct noting_allocator {
  using value_type = T;
  explicit noting_allocator(std::size_t* largest) : largest(largest) {}
  template <class U> noting_allocator(const noting_allocator<U>& o) : largest(o.largest) {}
  T* allocate(std::size_t n) {
    *largest = std::max(*largest, n * sizeof(T));
    return std::allocator<T>{}.allocate(n);
  }
  void deallocate(T* p, std::size_t n) { std::allocator<T>{}.deallocate(p, n); }
  template <class U> bool operator==(const noting_allocator<U>& o) const {
    return largest == o.largest;
  }
  template <class U> bool operator!=(const noting_allocator<U>& o) const { return !(*this == o); }
  std::size_t* largest;
};

class WsSocketTest : public ::testing::Test {
protected:
  // A connected loopback pair: `ours` reads, `peer` writes.
  struct socket_pair {
    explicit socket_pair(asio::io_context& io) : ours(io), peer(io) {
      tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
      peer.connect(acceptor.local_endpoint());
      acceptor.accept(ours);
    }
    tcp::socket ours;
    tcp::socket peer;
  };

  // Runs the loop until `done()` holds, for at most 5 s (bounded by a timer: see bounded_run.hpp
  // for why not run_for).
  template <class Done> bool run_until(Done done) {
    return chat::test::run_until(io, done, std::chrono::seconds{5});
  }

  // Beast's circular buffer with its free space wrapped round, as after most of a read was
  // consumed: "xy" held at offsets 4 and 5, free 2 bytes at the end and 4 at the start.
  static void wrap(boost::beast::static_buffer<8>& b) {
    b.commit(asio::buffer_copy(b.prepare(6), asio::buffer("....xy", 6)));
    b.consume(4);
  }

  asio::io_context io;
};

TEST_F(WsSocketTest, APendingReadIntoBeastsBufferKeepsRoomForTwoPiecesNotSixtyFour) {
  socket_pair plain{io}, adapted{io};
  ws_socket ws{std::move(adapted.ours)};
  boost::beast::static_buffer<1536> plain_buffer, ws_buffer; // Beast's own, as a stream's
  std::size_t plain_op = 0, ws_op = 0;
  int done = 0;
  auto count = [&](boost::system::error_code ec, std::size_t) {
    EXPECT_FALSE(ec);
    ++done;
  };
  plain.ours.async_read_some(plain_buffer.prepare(1536),
                             asio::bind_allocator(noting_allocator<void>{&plain_op}, count));
  ws.async_read_some(ws_buffer.prepare(1536),
                     asio::bind_allocator(noting_allocator<void>{&ws_op}, count));
  RecordProperty("plain_read_op_bytes", static_cast<int>(plain_op));
  RecordProperty("ws_socket_read_op_bytes", static_cast<int>(ws_op));
  EXPECT_GT(plain_op, 0u) << "the read did not go through the bound allocator";
  EXPECT_LT(ws_op, 512u);
#if defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT)
  // io_uring keeps the iovecs in the operation, 64 of them for a sequence it has no case for.
  EXPECT_LT(ws_op + 512, plain_op) << "ws_socket's read is not smaller by the iovec room";
#endif // epoll builds its iovecs on the stack when it reads: both are small there
  asio::write(plain.peer, asio::buffer("a", 1));
  asio::write(adapted.peer, asio::buffer("a", 1));
  EXPECT_TRUE(run_until([&] { return done == 2; }));
}

TEST_F(WsSocketTest, BytesLandInOrderAcrossBothPieces) {
  socket_pair pair{io};
  ws_socket ws{std::move(pair.ours)};
  boost::beast::static_buffer<8> buffer;
  wrap(buffer);
  auto free = buffer.prepare(6);
  ASSERT_EQ(std::distance(asio::buffer_sequence_begin(free), asio::buffer_sequence_end(free)), 2)
      << "the free space is not in two pieces";
  asio::write(pair.peer, asio::buffer("abcdef", 6));
  std::size_t got = 0;
  bool failed = false;
  std::function<void()> read_more = [&] {
    ws.async_read_some(buffer.prepare(6 - got), [&](boost::system::error_code ec, std::size_t n) {
      if (ec) failed = true;
      buffer.commit(n);
      got += n;
      if (!ec && got < 6) read_more();
    });
  };
  read_more();
  ASSERT_TRUE(run_until([&] { return got == 6 || failed; }));
  EXPECT_EQ(boost::beast::buffers_to_string(buffer.data()), "xyabcdef");
}

TEST_F(WsSocketTest, MoreThanTwoPiecesStillReadInOrder) {
  socket_pair pair{io};
  ws_socket ws{std::move(pair.ours)};
  std::array<char, 8> bytes{};
  std::array<asio::mutable_buffer, 3> pieces{asio::buffer(bytes.data(), 2),
                                             asio::buffer(bytes.data() + 2, 3),
                                             asio::buffer(bytes.data() + 5, 3)};
  asio::write(pair.peer, asio::buffer("abcdefgh", 8));
  std::size_t got = 0;
  bool failed = false;
  ws.async_read_some(pieces, [&](boost::system::error_code ec, std::size_t n) {
    failed = static_cast<bool>(ec);
    got = n;
  });
  ASSERT_TRUE(run_until([&] { return got > 0 || failed; }));
  ASSERT_FALSE(failed);
  EXPECT_EQ(std::string(bytes.data(), got), std::string("abcdefgh", got));
}

} // namespace ws_socket_test
