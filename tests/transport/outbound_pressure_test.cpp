// outbound_pressure_test.cpp -- back-pressure between connections over real loopback sockets:
// while one connection presses, nobody reads; a receiver that stops reading holds nobody back
// and is cut with ERROR "slow consumer" after whole frames; a receiver that keeps taking data
// is never cut, however much is queued for it.
#include "messages/frame_decoder.hpp"
#include "messages/frame_encoder.hpp"
#include "tests/support/frame_bytes.hpp"
#include "tests/transport/connection_probe.hpp"
#include "transport/io_loop.hpp"
#include "transport/outbound_pressure.hpp"
#include "transport/tcp_connection.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <atomic>
#include <thread>

namespace {

namespace asio = boost::asio;
using chat::test::probe_event;
using chat::transport::outbound_pressure;
using chat::transport::tcp;
using namespace std::chrono_literals;

TEST(OutboundPressureTest, DeferredReadersResumeWhenTheLastPresserReleases) {
  outbound_pressure p;
  int resumed = 0;
  EXPECT_FALSE(p.defer([&] { ++resumed; })) << "nobody presses: nothing to wait for";
  p.press();
  p.press();
  EXPECT_TRUE(p.pressed());
  EXPECT_TRUE(p.defer([&] { ++resumed; }));
  EXPECT_TRUE(p.defer([&] { ++resumed; }));
  p.release();
  EXPECT_EQ(resumed, 0) << "one connection still presses";
  p.release();
  EXPECT_EQ(resumed, 2);
  EXPECT_FALSE(p.pressed());
  p.release(); // unpaired: ignored, never negative
  EXPECT_EQ(p.pressing(), 0u);
}

// One server-side connection and the raw peer socket of it.
struct side {
  explicit side(asio::io_context& ioc) : peer(ioc) {}
  tcp::socket peer;
  std::shared_ptr<chat::transport::tcp_connection> conn;
  std::shared_ptr<chat::test::probe_log> log = std::make_shared<chat::test::probe_log>();
  chat::connection_owner probe;
};

class OutboundPressureConnectionTest : public ::testing::Test {
protected:
  OutboundPressureConnectionTest() : sys(cfg), io(1) {}

  ~OutboundPressureConnectionTest() override {
    for (auto& s : sides) {
      if (s->conn) s->conn->abort("test over");
      boost::system::error_code ignored;
      s->peer.close(ignored);
      s->conn.reset();
    }
    io.drain_and_join();
    for (auto& s : sides)
      caf::anon_send_exit(s->probe, caf::exit_reason::user_shutdown);
  }

  side& open(const chat::transport::connection_limits& limits,
             std::optional<chat::frame> slow_consumer_notice = std::nullopt) {
    auto s = std::make_unique<side>(io.context());
    tcp::acceptor acceptor{io.context(), {asio::ip::make_address("127.0.0.1"), 0}};
    s->peer.connect(acceptor.local_endpoint());
    tcp::socket accepted{io.context()};
    acceptor.accept(accepted);
    s->conn = std::make_shared<chat::transport::tcp_connection>(
        std::move(accepted), limits, pressure, std::move(slow_consumer_notice));
    s->probe = sys.spawn(chat::test::connection_probe, s->log);
    s->conn->start(s->probe);
    sides.push_back(std::move(s));
    return *sides.back();
  }

  // Waits until `pred` holds, polling; false after `timeout`.
  template <class Pred> bool eventually(Pred pred, std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

  caf::actor_system_config cfg;
  caf::actor_system sys;
  chat::transport::io_loop io;
  std::shared_ptr<outbound_pressure> pressure = std::make_shared<outbound_pressure>();
  std::vector<std::unique_ptr<side>> sides;
};

using chat::test::wire;

TEST_F(OutboundPressureConnectionTest, NothingIsReadWhileSomeoneElsePresses) {
  auto& sender = open({});
  pressure->press(); // as a receiver that is behind would
  asio::write(sender.peer, asio::buffer(wire(chat::encode(chat::frame_type::ping, "held"))));
  EXPECT_FALSE(sender.log->next(300ms)) << "read while the listener was under pressure";
  pressure->release();
  auto e = sender.log->next();
  ASSERT_TRUE(e) << "reading did not resume after the release";
  EXPECT_EQ(e->frame.payload, "held");
}

TEST_F(OutboundPressureConnectionTest, ReceiverThatStopsReadingHoldsNobodyBackAndIsCutWithError) {
  chat::transport::connection_limits limits;
  limits.max_outbound_bytes = 1 << 20;
  auto& receiver = open(limits, chat::encode(chat::frame_type::error, "slow consumer"));
  auto big = chat::encode(chat::frame_type::send_msg, std::string(60000, 'x'));
  // 12 MB: far more than the kernel takes unsent, so most of it stays queued with us. (The first
  // frames may press for a moment, before the writer finds the peer's window shut.)
  for (int i = 0; i < 200; ++i)
    receiver.conn->send(big);
  auto e = receiver.log->next(5s);
  ASSERT_TRUE(e) << "never cut off";
  EXPECT_EQ(e->what, probe_event::kind::closed);
  EXPECT_EQ(e->reason.rfind("slow consumer", 0), 0u) << e->reason;
  EXPECT_TRUE(eventually([&] { return !pressure->pressed(); }, 1s)) << "a dead reader presses";

  // What the peer finds once it reads: whole frames, then the ERROR, then the end.
  chat::frame_decoder decoder;
  std::vector<std::pair<uint8_t, std::string>> got;
  std::vector<char> buf(1 << 16);
  boost::system::error_code ec;
  receiver.peer.non_blocking(false);
  timeval five_seconds{5, 0}; // a server that never ends the connection fails, not hangs
  ::setsockopt(receiver.peer.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &five_seconds,
               sizeof five_seconds);
  while (!ec) {
    auto n = receiver.peer.read_some(asio::buffer(buf), ec);
    decoder.feed(buf.data(), n, [&](uint8_t type, std::string_view payload) {
      got.emplace_back(type, type == 0x04 ? std::string{payload} : std::string{});
    });
  }
  EXPECT_EQ(ec, asio::error::eof) << ec.message();
  EXPECT_FALSE(decoder.mid_frame()) << "a torn frame";
  ASSERT_GE(got.size(), 2u);
  for (std::size_t i = 0; i + 1 < got.size(); ++i)
    ASSERT_EQ(got[i].first, static_cast<uint8_t>(chat::frame_type::send_msg)) << "frame " << i;
  EXPECT_LT(got.size(), 200u) << "nothing was dropped";
  EXPECT_EQ(got.back().first, static_cast<uint8_t>(chat::frame_type::error));
  EXPECT_EQ(got.back().second, "slow consumer");
}

TEST_F(OutboundPressureConnectionTest, ReceiverThatKeepsReadingIsNeverCut) {
  chat::transport::connection_limits limits;
  limits.max_outbound_bytes = 64 * 1024; // hard cap 512 KiB: far below what is queued at once
  auto& receiver = open(limits);
  auto big = chat::encode(chat::frame_type::send_msg, std::string(60000, 'y'));
  constexpr int frames = 100; // 6 MB
  std::atomic<std::size_t> got{0};
  std::thread reader{[&] {
    std::vector<char> buf(1 << 16);
    boost::system::error_code ec;
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (got < frames * chat::bytes(big).size() && !ec &&
           std::chrono::steady_clock::now() < deadline)
      got += receiver.peer.read_some(asio::buffer(buf), ec);
  }};
  for (int i = 0; i < frames; ++i)
    receiver.conn->send(big);
  reader.join();
  EXPECT_EQ(got.load(), frames * chat::bytes(big).size());
  EXPECT_FALSE(receiver.log->next(100ms)) << "a reader that kept up was closed";
  EXPECT_TRUE(eventually([&] { return !pressure->pressed(); })) << "pressure stayed on";
}

} // namespace
