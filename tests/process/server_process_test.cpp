// server_process_test.cpp -- chat-server as a process: options, config file, bind error, signals.
#include "tests/support/binaries.hpp"
#include "tests/support/child_process.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using chat::test::child_process;

using chat::test::exit_timeout;
using chat::test::startup_timeout;
constexpr auto signal_exit_bound = 5s; // how fast SIGINT/SIGTERM must end an idle server

// The port from "chat-server listening on 127.0.0.1:PORT (...)", or nothing.
std::optional<int> listening_port(child_process& server) {
  auto line = server.wait_for_line_containing("chat-server listening on", startup_timeout);
  if (!line) return std::nullopt;
  auto at = line->find("127.0.0.1:");
  if (at == std::string::npos) return std::nullopt;
  return std::stoi(line->substr(at + 10));
}

// A socket on 127.0.0.1 bound to a free port and listening: the port is in use while it lives.
struct port_holder {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int port = 0;

  port_holder() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) == 0 && ::listen(fd, 4) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      port = ntohs(addr.sin_port);
  }
  ~port_holder() { ::close(fd); }
};

// Sends `bytes` to 127.0.0.1:port and returns what comes back, once `want` bytes are in, the
// server closes, or `timeout` passes, whichever is first.
std::string exchange(int port, const std::string& bytes, std::size_t want,
                     std::chrono::milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string reply;
  bool sent =
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (sent && reply.size() < want) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    char buf[512];
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    reply.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return reply;
}

// A frame as PROTOCOL.md lays it out: int32 LE body_len, type byte, payload.
std::string frame_bytes(uint8_t type, const std::string& payload) {
  auto body_len = static_cast<uint32_t>(payload.size() + 1);
  std::string out;
  for (int i = 0; i < 4; ++i)
    out += static_cast<char>((body_len >> (8 * i)) & 0xFF);
  out += static_cast<char>(type);
  return out + payload;
}

TEST(ServerProcessTest, HelpExitsZeroAndListsEveryOption) {
  child_process server{::chat::test::chat_server_bin(), {"--help"}};
  auto status = server.wait(exit_timeout);
  EXPECT_TRUE(status.exited_with(0)) << status << '\n' << server.describe();
  auto help = server.stdout_text();
  for (const char* option :
       {"--host", "--port", "--io-threads", "--max-frame", "--max-outbound-bytes",
        "--shutdown-timeout", "--log-level", "--config-file", "--max-connections",
        "--idle-interval", "--idle-timeout", "--max-broadcast-rate", "--broadcast-burst",
        "--cluster-port", "--cluster-host", "--peer", "--cluster-status"})
    EXPECT_NE(help.find(option), std::string::npos) << option << '\n' << server.describe();
}

TEST(ServerProcessTest, UnknownOptionExitsTwo) {
  child_process server{::chat::test::chat_server_bin(), {"--no-such-option=1"}};
  auto status = server.wait(exit_timeout);
  EXPECT_TRUE(status.exited_with(2)) << status << '\n' << server.describe();
  EXPECT_NE(server.stderr_text().find("--no-such-option"), std::string::npos) << server.describe();
}

TEST(ServerProcessTest, PortOutOfRangeExitsTwo) {
  child_process server{::chat::test::chat_server_bin(), {"--port", "99999"}};
  auto status = server.wait(exit_timeout);
  EXPECT_TRUE(status.exited_with(2)) << status << '\n' << server.describe();
  EXPECT_EQ(server.stdout_text().find("listening"), std::string::npos) << server.describe();
}

TEST(ServerProcessTest, ConfigFileSettingsAreHonoured) {
  auto pattern = (std::filesystem::temp_directory_path() / "chat-server-ini-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  std::filesystem::path dir{pattern};
  auto ini = dir / "server.ini";
  std::ofstream{ini} << "[global]\nport=0\nmax-frame=256\n";

  child_process server{::chat::test::chat_server_bin(), {"--config-file=" + ini.string()}};
  auto port = listening_port(server);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(port) << server.describe();
  EXPECT_NE(*port, 7000) << "port=0 from the file was ignored";

  constexpr std::size_t until_closed = SIZE_MAX;
  auto too_large = exchange(*port, frame_bytes(2, std::string(299, 'x')), until_closed, 5s);
  EXPECT_EQ(too_large, frame_bytes(4, "frame too large")) << "body_len 300\n" << server.describe();
  auto echo = frame_bytes(2, "Echo: " + std::string(200, 'y'));
  auto fits = exchange(*port, frame_bytes(2, std::string(200, 'y')), echo.size(), 5s);
  EXPECT_EQ(fits, echo) << "body_len 201\n" << server.describe();
}

TEST(ServerProcessTest, PortAlreadyInUseExitsOneSayingCannotListen) {
  port_holder taken;
  ASSERT_NE(taken.port, 0);
  child_process server{::chat::test::chat_server_bin(), {"--port", std::to_string(taken.port)}};
  auto status = server.wait(exit_timeout);
  EXPECT_TRUE(status.exited_with(1)) << status << '\n' << server.describe();
  auto err = server.stderr_text();
  EXPECT_NE(err.find("cannot listen on 127.0.0.1:" + std::to_string(taken.port)), std::string::npos)
      << server.describe();
}

TEST(ServerProcessTest, ClusterPortInUseExitsOneSayingSo) {
  port_holder taken;
  ASSERT_NE(taken.port, 0);
  child_process server{::chat::test::chat_server_bin(),
                       {"--port=0", "--cluster-port", std::to_string(taken.port)}};
  auto status = server.wait(exit_timeout);
  EXPECT_TRUE(status.exited_with(1)) << status << '\n' << server.describe();
  EXPECT_NE(server.stderr_text().find("cannot publish the cluster node on 127.0.0.1:" +
                                      std::to_string(taken.port)),
            std::string::npos)
      << server.describe();
}

TEST(ServerProcessTest, PeerWithoutClusterPortExitsTwo) {
  child_process server{::chat::test::chat_server_bin(), {"--port=0", "--peer", "127.0.0.1:1"}};
  auto status = server.wait(exit_timeout);
  EXPECT_TRUE(status.exited_with(2)) << status << '\n' << server.describe();
  EXPECT_NE(server.stderr_text().find("--peer needs --cluster-port"), std::string::npos)
      << server.describe();
}

testing::AssertionResult idle_server_exits_zero_on(int signal_number) {
  child_process server{::chat::test::chat_server_bin(), {"--port=0"}};
  if (!listening_port(server))
    return testing::AssertionFailure() << "did not start\n" << server.describe();
  server.send_signal(signal_number);
  auto status = server.wait(signal_exit_bound);
  if (!status.exited_with(0))
    return testing::AssertionFailure() << status << '\n' << server.describe();
  return testing::AssertionSuccess();
}

TEST(ServerProcessTest, SigintMakesItExitZeroWithinFiveSeconds) {
  EXPECT_TRUE(idle_server_exits_zero_on(SIGINT));
}

TEST(ServerProcessTest, SigtermMakesItExitZeroWithinFiveSeconds) {
  EXPECT_TRUE(idle_server_exits_zero_on(SIGTERM));
}

} // namespace
