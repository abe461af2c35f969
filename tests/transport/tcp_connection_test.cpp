// tcp_connection_test.cpp -- the connection over real loopback sockets: frames in every
// chunking, ordered gather writes, graceful close, slow consumers, EOF and violations.
#include "messages/frame_encoder.hpp"
#include "tests/support/frame_bytes.hpp"
#include "tests/transport/connection_probe.hpp"
#include "transport/io_loop.hpp"
#include "transport/tcp_connection.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <thread>

namespace {

namespace asio = boost::asio;
using chat::test::probe_event;
using chat::transport::tcp;
using namespace std::chrono_literals;

// One server-side tcp_connection owned by a probe actor, and the raw peer socket of it.
class TcpConnectionTest : public ::testing::Test {
protected:
  TcpConnectionTest() : sys(cfg), io(1), peer(io.context()) {}

  ~TcpConnectionTest() override {
    if (conn) conn->abort("test over");
    boost::system::error_code ignored;
    peer.close(ignored);
    conn.reset();
    io.drain_and_join();
    caf::anon_send_exit(probe, caf::exit_reason::user_shutdown);
  }

  void open(chat::transport::connection_limits limits = {},
            std::optional<chat::frame> slow_consumer_notice = std::nullopt) {
    tcp::acceptor acceptor{io.context(), {asio::ip::make_address("127.0.0.1"), 0}};
    peer.connect(acceptor.local_endpoint());
    tcp::socket accepted{io.context()};
    acceptor.accept(accepted);
    conn = std::make_shared<chat::transport::tcp_connection>(std::move(accepted), limits, nullptr,
                                                             std::move(slow_consumer_notice));
    probe = sys.spawn(chat::test::connection_probe, log);
    conn->start(probe);
  }

  // Reads exactly n bytes from the peer socket, or fails after a timeout.
  std::string read_exactly(std::size_t n) {
    std::string out(n, '\0');
    struct timeval tv {
      5, 0
    };
    setsockopt(peer.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    boost::system::error_code ec;
    std::size_t got = 0;
    do { // a signal may interrupt the blocking read (EINTR, seen under load): it goes on
      ec = {};
      got += asio::read(peer, asio::buffer(out.data() + got, n - got), ec);
    } while (ec == asio::error::interrupted && got < n);
    EXPECT_FALSE(ec) << ec.message();
    return out;
  }

  // Reads until the peer closes (or a 5 s silence, which fails the test).
  std::string read_to_eof() {
    struct timeval tv {
      5, 0
    };
    setsockopt(peer.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string out;
    std::array<char, 65536> chunk;
    for (;;) {
      boost::system::error_code ec;
      auto n = peer.read_some(asio::buffer(chunk), ec);
      out.append(chunk.data(), n);
      if (ec == asio::error::interrupted) continue;
      if (ec == asio::error::eof) return out;
      if (ec) {
        ADD_FAILURE() << "read: " << ec.message();
        return out;
      }
    }
  }

  caf::actor_system_config cfg;
  caf::actor_system sys;
  chat::transport::io_loop io;
  tcp::socket peer;
  std::shared_ptr<chat::transport::tcp_connection> conn;
  std::shared_ptr<chat::test::probe_log> log = std::make_shared<chat::test::probe_log>();
  chat::connection_owner probe;
};

using chat::test::wire;

TEST_F(TcpConnectionTest, FramesArriveAtTheOwnerWhateverTheChunking) {
  open();
  auto stream = wire(chat::encode(chat::frame_type::login, "ann")) +
                wire(chat::encode(chat::frame_type::send_msg, std::string(3000, 'x'))) +
                wire(chat::encode(chat::frame_type::ping, ""));
  for (std::size_t i = 0; i < stream.size(); i += 7) { // 7-byte writes, split everywhere
    asio::write(peer, asio::buffer(stream.data() + i, std::min<std::size_t>(7, stream.size() - i)));
    if (i % 700 == 0) std::this_thread::sleep_for(1ms); // let some reads see partial frames
  }
  auto a = log->next(), b = log->next(), c = log->next();
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->frame, (chat::inbound_frame{1, "ann"}));
  EXPECT_EQ(b->frame, (chat::inbound_frame{2, std::string(3000, 'x')}));
  EXPECT_EQ(c->frame, (chat::inbound_frame{5, ""}));
}

TEST_F(TcpConnectionTest, SentFramesArriveInOrderFromManyThreads) {
  open();
  constexpr int per_thread = 2000;
  std::vector<std::thread> senders;
  for (int t = 0; t < 2; ++t)
    senders.emplace_back([this, t] {
      for (int i = 0; i < per_thread; ++i)
        conn->send(
            chat::encode(chat::frame_type::send_msg, std::to_string(t) + ":" + std::to_string(i)));
    });
  for (auto& s : senders)
    s.join();
  // Each thread's frames must come out in its own order, intact.
  int next[2] = {0, 0};
  chat::frame_decoder decoder;
  std::string buf(65536, '\0');
  struct timeval tv {
    5, 0
  };
  setsockopt(peer.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  while (next[0] + next[1] < 2 * per_thread) {
    boost::system::error_code ec;
    auto n = peer.read_some(asio::buffer(buf), ec);
    if (ec == asio::error::interrupted) continue; // a signal: read again
    ASSERT_FALSE(ec) << ec.message();
    decoder.feed(buf.data(), n, [&](uint8_t, std::string_view p) {
      int t = p[0] - '0';
      EXPECT_EQ(std::string(p), std::to_string(t) + ":" + std::to_string(next[t]));
      ++next[t];
    });
  }
}

TEST_F(TcpConnectionTest, BatchFramesGoOutInOrder) {
  open();
  std::vector<chat::frame> frames{chat::encode_broadcast("ann", "one"),
                                  chat::encode_broadcast("bob", "two")};
  conn->send(chat::frame_batch{frames});
  auto expected = wire(frames[0]) + wire(frames[1]);
  EXPECT_EQ(read_exactly(expected.size()), expected);
}

// Small frames are copied into the queue, a large one is queued by reference (queued_frames.hpp):
// the two kinds interleave on the wire in the order they were sent, whether they came in one
// batch or one by one.
TEST_F(TcpConnectionTest, ALargeFrameBetweenSmallOnesKeepsItsPlace) {
  open();
  auto small = [](const std::string& s) { return chat::encode(chat::frame_type::send_msg, s); };
  auto large = chat::encode(chat::frame_type::send_msg, std::string(40000, 'L'));
  std::vector<chat::frame> frames{small("a"), large, small("b"), small("c"), large, small("d")};
  conn->send(chat::frame_batch{frames});
  for (auto& f : frames)
    conn->send(f);
  std::string expected;
  for (int twice = 0; twice < 2; ++twice)
    for (auto& f : frames)
      expected += wire(f);
  EXPECT_EQ(read_exactly(expected.size()), expected);
}

TEST_F(TcpConnectionTest, GracefulCloseSendsWhatIsQueuedThenEof) {
  open();
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    auto f = chat::encode(chat::frame_type::send_msg, "line " + std::to_string(i));
    expected += wire(f);
    conn->send(f);
  }
  conn->close();
  conn->send(chat::encode(chat::frame_type::send_msg, "after close: dropped"));
  EXPECT_EQ(read_exactly(expected.size()), expected);
  char byte;
  boost::system::error_code ec;
  do
    peer.read_some(asio::buffer(&byte, 1), ec);
  while (ec == asio::error::interrupted);
  EXPECT_EQ(ec, asio::error::eof);
  auto e = log->next();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->what, probe_event::kind::closed);
}

TEST_F(TcpConnectionTest, PeerCloseMidFrameIsReportedOnce) {
  open();
  asio::write(peer, asio::buffer(std::string("\x10\x00\x00\x00\x02hal", 8)));
  peer.close();
  auto e = log->next();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->what, probe_event::kind::closed);
  EXPECT_EQ(e->reason, "peer closed mid-frame");
  EXPECT_FALSE(log->next(100ms)); // exactly once
}

TEST_F(TcpConnectionTest, OversizedFrameIsAViolationBeforeItsBytesArrive) {
  chat::transport::connection_limits limits;
  limits.max_frame = 100;
  open(limits);
  asio::write(peer, asio::buffer(std::string("\x65\x00\x00\x00\x02", 5))); // 101 > 100
  auto e = log->next();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->what, probe_event::kind::violated);
  EXPECT_EQ(e->reason, "frame too large");
  // Reading has stopped for good: later bytes produce nothing.
  asio::write(peer, asio::buffer(wire(chat::encode(chat::frame_type::ping, "x"))));
  EXPECT_FALSE(log->next(200ms));
}

TEST_F(TcpConnectionTest, PeerThatNeverReadsIsCutAsSlowConsumer) {
  chat::transport::connection_limits limits;
  limits.max_outbound_bytes = 256 * 1024;
  open(limits);
  auto big = chat::encode(chat::frame_type::send_msg, std::string(60000, 'x'));
  std::optional<probe_event> e;
  // The kernel's socket buffers absorb a few MiB first; 4,000 frames (240 MB) is a hard bound.
  for (int i = 0; i < 4000 && !e; ++i) {
    conn->send(big);
    if (i % 16 == 15) e = log->next(5ms);
  }
  if (!e) e = log->next();
  ASSERT_TRUE(e) << "never cut off";
  EXPECT_EQ(e->what, probe_event::kind::closed);
  EXPECT_EQ(e->reason.rfind("slow consumer", 0), 0u) << e->reason;
}

// Small frames are copied into the queue as they are sent, and go out as one buffer per write
// (queued_frames.hpp); one such write is in flight at the cut: the peer reads whole frames, in
// order, then the notice. (The kernel takes the rest of a write this small whole once it has
// room, so the cut's trimming of a copied write, drop_unwritten_frames, is left to the unit tests
// of queued_frames::rest_of_begun_frame.)
TEST_F(TcpConnectionTest, ACutSlowConsumerReadsWholeSmallFramesThenTheNotice) {
  chat::transport::connection_limits limits;
  limits.max_outbound_bytes = 12 * 1024; // what is in flight at the cut is one copied write
  auto notice = chat::encode(chat::frame_type::error, "slow consumer");
  open(limits, notice);
  std::optional<probe_event> e;
  int sent = 0;
  auto batch_of = [&](int n) {
    std::vector<chat::frame> frames;
    for (int i = 0; i < n; ++i) {
      auto text = std::to_string(sent++);
      frames.push_back(
          chat::encode(chat::frame_type::send_msg, text + std::string(95 - text.size(), '.')));
    }
    return chat::frame_batch{frames};
  };
  // Writes of 15,000 bytes of 100-byte frames, one at a time, until the kernel takes only a part
  // of one: the rest of it is still in flight, one copied buffer, when the cut comes.
  std::size_t queued = 0;
  for (int write = 0; write < 200 && conn->counters().bytes_out == queued; ++write) {
    conn->send(batch_of(150));
    queued += 15000;
    for (int i = 0; i < 50 && conn->counters().bytes_out < queued; ++i)
      std::this_thread::sleep_for(1ms); // the kernel takes it, or stops taking: 50 ms says so
  }
  ASSERT_LT(conn->counters().bytes_out, queued) << "the kernel never stopped taking";
  // Then more than the bound queues behind it, until the cut (a hard bound of 3 MB).
  for (int batch = 0; batch < 2000 && !e; ++batch) {
    conn->send(batch_of(16));
    if (batch % 16 == 15) e = log->next(1ms);
  }
  if (!e) e = log->next();
  ASSERT_TRUE(e) << "never cut off";
  EXPECT_EQ(e->reason.rfind("slow consumer", 0), 0u) << e->reason;

  auto got = read_to_eof();
  std::size_t at = 0;
  int next = 0;
  std::string last;
  while (at + chat::header_size <= got.size()) {
    uint32_t body_len = 0;
    std::memcpy(&body_len, got.data() + at, 4); // little-endian, as this machine
    ASSERT_LE(at + 4 + body_len, got.size()) << "a torn frame after " << next << " whole ones";
    last = got.substr(at, 4 + body_len);
    if (last != wire(notice)) {
      auto payload = last.substr(chat::header_size);
      ASSERT_EQ(payload.substr(0, payload.find('.')), std::to_string(next)) << "out of order";
      ++next;
    }
    at += 4 + body_len;
  }
  EXPECT_EQ(at, got.size()) << "bytes after the last whole frame";
  EXPECT_EQ(last, wire(notice)) << "the notice is not last";
  EXPECT_GT(next, 0);
  EXPECT_LT(next, sent); // something was dropped, or nothing was cut
}

TEST_F(TcpConnectionTest, GracefulCloseGivesUpOnAPeerThatNeverReads) {
  chat::transport::connection_limits limits;
  limits.close_timeout = 200ms;
  limits.max_outbound_bytes = 64 << 20;
  open(limits);
  auto big = chat::encode(chat::frame_type::send_msg, std::string(60000, 'x'));
  for (int i = 0; i < 300; ++i) // 18 MB: more than loopback socket buffers hold
    conn->send(big);
  conn->close();
  auto e = log->next();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->what, probe_event::kind::closed);
  EXPECT_EQ(e->reason, "close timed out with data still queued");
}

TEST_F(TcpConnectionTest, FloodingPeerIsHeldBackUntilTheOwnerCatchesUp) {
  chat::transport::connection_limits limits;
  limits.max_unhandled_frames = 64;
  open(limits);
  constexpr int total = 10000; // ~10 MB: far more than socket buffers hold
  std::string one = wire(chat::encode(chat::frame_type::send_msg, std::string(1000, 'f')));
  std::string flood;
  for (int i = 0; i < total; ++i)
    flood += one;
  std::thread writer{[&] {
    boost::system::error_code ec;
    asio::write(peer, asio::buffer(flood), ec); // blocks while the server does not read
  }};
  std::this_thread::sleep_for(300ms);
  int received = 0;
  while (log->next(50ms))
    ++received;
  // The bound, plus what one 64 KiB read can carry past it (65 frames of 1005 bytes).
  EXPECT_LE(received, 64 + 66) << "reading did not pause";
  EXPECT_GT(received, 0);
  for (int i = 0; i < received; ++i)
    conn->frame_done();
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (received < total && std::chrono::steady_clock::now() < deadline) {
    if (auto e = log->next(100ms)) {
      ++received;
      conn->frame_done();
    }
  }
  EXPECT_EQ(received, total) << "reading did not resume";
  writer.join();
}

} // namespace
