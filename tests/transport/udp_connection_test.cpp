// udp_connection_test.cpp -- a udp_endpoint over loopback with probe owners instead of sessions:
// how frames go in (in order, whole DATAs dropped while the owner is behind) and out (packed
// into datagrams within the bound, cut into PART frames past it, dropped past the outbound
// bound), and how a connection ends (close, stop).
#include "messages/frame_encoder.hpp"
#include "messages/multipart.hpp"
#include "tests/support/udp_client.hpp"
#include "tests/transport/connection_probe.hpp"
#include "transport/io_loop.hpp"
#include "transport/udp_endpoint.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <thread>

namespace {

namespace asio = boost::asio;
namespace udp = chat::transport::udp;
using chat::test::probe_event;
using chat::test::udp_client;
using chat::test::udp_frame;
using chat::transport::udp_drop;
using namespace std::chrono_literals;

class UdpConnectionTest : public ::testing::Test {
protected:
  UdpConnectionTest() : sys(cfg), io(1) {}

  void open(std::size_t max_datagram = udp::default_max_datagram,
            chat::transport::connection_limits limits = {}) {
    chat::transport::udp_options options;
    options.max_datagram = max_datagram;
    auto on_accept = [this](const std::shared_ptr<chat::transport::udp_connection>& c) {
      std::lock_guard<std::mutex> guard{mutex};
      conns.push_back(c);
      return chat::connection_owner{sys.spawn(chat::test::connection_probe, log)};
    };
    endpoint = std::make_shared<chat::transport::udp_endpoint>(
        io.context(), asio::ip::udp::endpoint{asio::ip::make_address("127.0.0.1"), 0}, limits,
        policy, options, on_accept);
    endpoint->start();
  }

  ~UdpConnectionTest() override {
    if (endpoint) {
      endpoint->stop();
      wait_until([this] { return endpoint->open_connections() == 0; });
    }
    conns.clear();
    endpoint.reset();
    io.drain_and_join();
  }

  uint16_t port() const { return endpoint->local_endpoint().port(); }

  // A client with a session: the handshake, and a first DATA the probe receives.
  std::shared_ptr<chat::transport::udp_connection> session(udp_client& c) {
    EXPECT_TRUE(c.handshake());
    EXPECT_TRUE(c.send_frame(5, "first"));
    auto e = log->next();
    EXPECT_TRUE(e && e->what == probe_event::kind::frame && e->frame.payload == "first");
    std::lock_guard<std::mutex> guard{mutex};
    return conns.empty() ? nullptr : conns.back();
  }

  template <class Done> bool wait_until(Done done) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done())
      if (std::chrono::steady_clock::now() > deadline)
        return false;
      else
        std::this_thread::sleep_for(2ms);
    return true;
  }

  caf::actor_system_config cfg;
  caf::actor_system sys;
  chat::transport::io_loop io;
  chat::transport::listener_policy policy;
  std::shared_ptr<chat::test::probe_log> log = std::make_shared<chat::test::probe_log>();
  std::shared_ptr<chat::transport::udp_endpoint> endpoint;
  std::mutex mutex;
  std::vector<std::shared_ptr<chat::transport::udp_connection>> conns;
};

TEST_F(UdpConnectionTest, FramesOfEachDataReachTheOwnerInOrder) {
  open();
  udp_client c{port()};
  auto conn = session(c);
  ASSERT_TRUE(conn);
  EXPECT_TRUE(conn->carries_large_frames());
  ASSERT_TRUE(c.send_frames({{2, "a"}, {3, "b"}, {9, ""}}));
  ASSERT_TRUE(c.send_frames({{2, "c"}}));
  for (auto expected :
       {udp_frame{2, "a"}, udp_frame{3, "b"}, udp_frame{9, ""}, udp_frame{2, "c"}}) {
    auto e = log->next();
    ASSERT_TRUE(e && e->what == probe_event::kind::frame);
    EXPECT_EQ((udp_frame{e->frame.type, e->frame.payload}), expected);
  }
}

TEST_F(UdpConnectionTest, AnOwnerThatFallsBehindLosesWholeDatagrams) {
  chat::transport::connection_limits limits;
  limits.max_unhandled_frames = 10;
  open(udp::default_max_datagram, limits);
  udp_client c{port()};
  auto conn = session(c); // 1 frame unhandled: the probe never calls frame_done itself
  ASSERT_TRUE(conn);
  for (int i = 0; i < 4; ++i) // 1 + 3 x 3 = 10 fit; the fourth DATA would make 13
    ASSERT_TRUE(c.send_frames({{2, "x"}, {2, "y"}, {2, "z"}}));
  for (int i = 0; i < 9; ++i)
    ASSERT_TRUE(log->next()) << i;
  ASSERT_TRUE(wait_until([&] { return endpoint->stats().drops(udp_drop::unhandled) == 1; }));
  EXPECT_FALSE(log->next(0ms)) << "no frame of the dropped DATA";
  for (int i = 0; i < 10; ++i)
    conn->frame_done();
  ASSERT_TRUE(c.send_frames({{2, "after"}}));
  auto e = log->next();
  ASSERT_TRUE(e && e->what == probe_event::kind::frame);
  EXPECT_EQ(e->frame.payload, "after");
}

TEST_F(UdpConnectionTest, SmallFramesArePackedIntoDatagramsWithinTheBound) {
  open(256);
  udp_client c{port()};
  auto conn = session(c);
  ASSERT_TRUE(conn);
  std::vector<chat::frame> out;
  for (int i = 0; i < 40; ++i)
    out.push_back(chat::encode(2, std::string(25, static_cast<char>('a' + i % 26)) +
                                      std::to_string(i + 1000)));
  conn->send(chat::frame_batch{out});
  for (int i = 0; i < 40; ++i) {
    auto f = c.read_frame();
    ASSERT_TRUE(f) << i;
    EXPECT_EQ(*f, (udp_frame{2, std::string{chat::payload_of(out[i])}}));
  }
  std::size_t frames = 0;
  for (auto& d : c.datas()) {
    EXPECT_LE(d.size, 256u);
    frames += d.frames;
  }
  EXPECT_EQ(frames, 40u);
  EXPECT_EQ(c.datas().size(), 7u) << "6 frames of 34 bytes fill the 233 bytes after the prefix";
}

TEST_F(UdpConnectionTest, AFrameFillingTheRoomGoesWholeAndOneByteMoreGoesInParts) {
  open(300);
  udp_client c{port()};
  auto conn = session(c);
  ASSERT_TRUE(conn);
  auto room = 300 - udp::data_prefix_size; // a whole frame, header included
  conn->send(chat::encode(2, std::string(room - 5, 'w')));
  auto whole = c.read_frame();
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->type, 2);
  EXPECT_EQ(c.datas().back().size, 300u);
  for (uint32_t id : {0u, 1u}) {
    conn->send(chat::encode(2, std::string(room - 4, 'p')));
    for (uint16_t index : {0, 1}) {
      auto part = c.read_frame();
      ASSERT_TRUE(part);
      ASSERT_EQ(part->type, chat::v2::part_type);
      auto p = chat::v2::decode_part(part->payload);
      ASSERT_TRUE(std::holds_alternative<chat::v2::part>(p));
      EXPECT_EQ(std::get<chat::v2::part>(p).id, id) << "ids count up from 0 per peer";
      EXPECT_EQ(std::get<chat::v2::part>(p).index, index);
      EXPECT_EQ(std::get<chat::v2::part>(p).count, 2);
      EXPECT_LE(c.datas().back().size, 300u);
    }
  }
}

TEST_F(UdpConnectionTest, SendsPastTheOutboundBoundAreDroppedAndCounted) {
  chat::transport::connection_limits limits;
  limits.max_outbound_bytes = 1000;
  open(udp::default_max_datagram, limits);
  udp_client c{port()};
  auto conn = session(c);
  ASSERT_TRUE(conn);
  std::vector<chat::frame> big(3, chat::encode(2, std::string(400, 'b')));
  conn->send(chat::frame_batch{big}); // 1215 bytes at once: all or none
  conn->send(chat::encode(2, "small"));
  EXPECT_EQ(c.read_frame(), (udp_frame{2, "small"}));
  EXPECT_EQ(endpoint->stats().drops(udp_drop::send_queue_full), 1u);
}

TEST_F(UdpConnectionTest, CloseSendsWhatIsQueuedThenCloseAndGivesTheSlotBack) {
  open();
  udp_client c{port()};
  auto conn = session(c);
  ASSERT_TRUE(conn);
  EXPECT_EQ(policy.slots->taken(), 1u);
  conn->send(chat::encode(4, "bye"));
  conn->close();
  conn->send(chat::encode(4, "too late"));
  std::vector<udp_frame> said;
  ASSERT_TRUE(c.wait_closed(5s, &said));
  EXPECT_EQ(said, (std::vector<udp_frame>{{4, "bye"}}));
  auto e = log->next();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->what, probe_event::kind::closed);
  EXPECT_EQ(e->reason, "closed");
  EXPECT_TRUE(wait_until([&] { return endpoint->open_connections() == 0; }));
  EXPECT_EQ(policy.slots->taken(), 0u);
}

TEST_F(UdpConnectionTest, StopSaysFarewellAndClosesEverySession) {
  open();
  udp_client a{port()}, b{port()};
  ASSERT_TRUE(session(a));
  ASSERT_TRUE(session(b));
  endpoint->stop(chat::encode(4, "server shutting down"));
  for (auto* c : {&a, &b}) {
    std::vector<udp_frame> said;
    ASSERT_TRUE(c->wait_closed(5s, &said));
    EXPECT_EQ(said, (std::vector<udp_frame>{{4, "server shutting down"}}));
  }
  EXPECT_TRUE(wait_until([&] { return endpoint->open_connections() == 0; }));
  EXPECT_EQ(policy.slots->taken(), 0u);
}

} // namespace
