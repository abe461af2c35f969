// udp_server_test.cpp -- chat-server's UDP endpoint as a user starts it (--udp-port): the line
// that says where it listens, a UDP client chatting with a raw TCP one, the endpoint's gauges and
// counters on /metrics, SIGTERM closing UDP sessions, and the options' errors.
#include "tests/process/reliability_support.hpp"
#include "tests/support/binaries.hpp"
#include "tests/support/udp_client.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <string>

namespace {

using namespace chat::reliability;
using chat::test::udp_client;
using chat::test::udp_frame;

// The port from "chat-server udp listening on 127.0.0.1:PORT (...)", printed after the others.
std::optional<uint16_t> udp_port_of(server_process& server) {
  auto line = server.child().wait_for_line_containing("udp listening on", startup_timeout);
  if (!line) return std::nullopt;
  auto at = line->find("127.0.0.1:");
  if (at == std::string::npos) return std::nullopt;
  return static_cast<uint16_t>(std::stoi(line->substr(at + 10)));
}

// GET /metrics on the HTTP port: the whole response, read until the server closes.
std::string metrics_page(uint16_t http_port) {
  raw_client http{http_port};
  if (!http.connected() ||
      !http.send_bytes("GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"))
    return {};
  http.drain(io_timeout);
  return std::string{http.unread()};
}

TEST(UdpServerProcessTest, ServesUdpBesideTcpAndClosesUdpSessionsOnSigterm) {
  server_process server{{"--udp-port=0", "--http-port=0", "--log-level=info"}};
  ASSERT_TRUE(server.started()) << server.describe();
  auto udp_port = udp_port_of(server);
  ASSERT_TRUE(udp_port) << server.describe();

  raw_client tom{server.port()};
  ASSERT_TRUE(log_in(tom, "tom"));
  udp_client ann{*udp_port};
  ASSERT_TRUE(ann.log_in("ann"));
  ASSERT_TRUE(ann.send_frame(type::broadcast_msg, "over udp"));
  EXPECT_TRUE(next_frame_is(tom, {type::broadcast_msg, "ann: over udp"}));
  ASSERT_TRUE(tom.send_frame(type::broadcast_msg, "over tcp"));
  EXPECT_EQ(ann.read_frame(), (udp_frame{type::broadcast_msg, "ann: over udp"}));
  EXPECT_EQ(ann.read_frame(), (udp_frame{type::broadcast_msg, "tom: over tcp"}));
  EXPECT_TRUE(next_frame_is(tom, {type::broadcast_msg, "tom: over tcp"}));

  auto page = metrics_page(server.http_port());
  EXPECT_NE(page.find("chat_connections_open{transport=\"udp\"} 1\n"), std::string::npos) << page;
  EXPECT_NE(page.find("chat_connections_accepted_total{transport=\"udp\"} 1\n"), std::string::npos)
      << page;
  EXPECT_NE(page.find("chat_udp_cookies_sent_total 1\n"), std::string::npos) << page;
  EXPECT_NE(page.find("chat_udp_datagrams_total{direction=\"in\"}"), std::string::npos) << page;

  auto stopped = server.stop();
  EXPECT_TRUE(stopped.status.exited_with(0)) << stopped.status << '\n' << server.describe();
  std::vector<udp_frame> said;
  EXPECT_TRUE(ann.wait_closed(io_timeout, &said)) << "a CLOSE at shutdown";
  EXPECT_EQ(said, (std::vector<udp_frame>{{type::error, "server shutting down"}}));
  EXPECT_TRUE(next_frame_is(tom, {type::error, "server shutting down"}));
  EXPECT_NE(server.stderr_text().find("udp listening on 127.0.0.1:" + std::to_string(*udp_port)),
            std::string::npos)
      << server.describe();
}

TEST(UdpServerProcessTest, AMaxDatagramOutOfRangeExitsTwo) {
  for (const char* bad : {"--udp-max-datagram=255", "--udp-max-datagram=65508"}) {
    chat::test::child_process server{chat::test::chat_server_bin(),
                                     {"--port=0", "--udp-port=0", bad}};
    auto status = server.wait(exit_timeout);
    EXPECT_TRUE(status.exited_with(2)) << status << '\n' << server.describe();
    EXPECT_NE(server.stderr_text().find("--udp-max-datagram must be between 256 and 65507"),
              std::string::npos)
        << server.describe();
  }
}

TEST(UdpServerProcessTest, AUdpPortInUseExitsOneSayingSo) {
  int held = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(held, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::getsockname(held, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  auto port = std::to_string(ntohs(addr.sin_port));
  chat::test::child_process server{chat::test::chat_server_bin(),
                                   {"--port=0", "--udp-port=" + port}};
  auto status = server.wait(exit_timeout);
  ::close(held);
  EXPECT_TRUE(status.exited_with(1)) << status << '\n' << server.describe();
  EXPECT_NE(server.stderr_text().find("(or UDP " + port + ")"), std::string::npos)
      << server.describe();
}

} // namespace
