// chat_client_process_test.cpp -- chat-client processes against a real chat-server: chat, exits.
#include "tests/support/binaries.hpp"
#include "tests/support/child_process.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using chat::test::child_process;

// Bounds, not pauses: each wait returns as soon as its line or exit arrives.
using chat::test::startup_timeout;
constexpr auto line_timeout = 10s;
using chat::test::exit_timeout;

class ChatClientProcessTest : public testing::Test {
protected:
  void SetUp() override {
    server_ = std::make_unique<child_process>(
        ::chat::test::chat_server_bin(),
        std::vector<std::string>{"--port=0", "--shutdown-timeout=1s"});
    auto line = server_->wait_for_line_containing("chat-server listening on", startup_timeout);
    ASSERT_TRUE(line) << server_->describe();
    auto colon = line->find("127.0.0.1:");
    ASSERT_NE(colon, std::string::npos) << *line;
    port_ = std::stoi(line->substr(colon + 10));
    ASSERT_NE(port_, 0) << *line;
  }

  std::unique_ptr<child_process> client(const std::string& name, int port) {
    return std::make_unique<child_process>(
        CHAT_CLIENT_BIN, std::vector<std::string>{"--port", std::to_string(port), "--name", name});
  }
  std::unique_ptr<child_process> client(const std::string& name) { return client(name, port_); }

  // A chat-client that has printed "* Login OK" and then its own join of #lobby: only then is
  // it a member that hears what others say there (it joins after the login, like any client).
  std::unique_ptr<child_process> logged_in_client(const std::string& name) {
    auto c = client(name);
    EXPECT_TRUE(c->wait_for_line_containing("* Login OK", line_timeout))
        << name << ": " << c->describe();
    EXPECT_TRUE(c->wait_for_line_containing("* " + name + " joined #lobby", line_timeout))
        << name << ": " << c->describe();
    return c;
  }

  std::unique_ptr<child_process> server_;
  int port_ = 0;
};

TEST_F(ChatClientProcessTest, TwoClientsSeeEachOthersBroadcastsAndExitZeroAtEndOfInput) {
  auto ann = logged_in_client("ann");
  auto bob = logged_in_client("bob");
  ASSERT_FALSE(HasFailure());

  ASSERT_TRUE(ann->write("hello from ann\n"));
  EXPECT_TRUE(bob->wait_for_line_containing("ann: hello from ann", line_timeout))
      << bob->describe();
  ASSERT_TRUE(bob->write("hello from bob\n"));
  EXPECT_TRUE(ann->wait_for_line_containing("bob: hello from bob", line_timeout))
      << ann->describe();
  ASSERT_TRUE(bob->write("/echo ping\n"));
  EXPECT_TRUE(bob->wait_for_line_containing("Echo: ping", line_timeout)) << bob->describe();

  ann->close_stdin();
  bob->close_stdin();
  auto ann_status = ann->wait(exit_timeout);
  auto bob_status = bob->wait(exit_timeout);
  EXPECT_TRUE(ann_status.exited_with(0)) << ann_status << '\n' << ann->describe();
  EXPECT_TRUE(bob_status.exited_with(0)) << bob_status << '\n' << bob->describe();
}

TEST_F(ChatClientProcessTest, TakenNameExitsThreeWithLoginRefused) {
  auto ann = logged_in_client("ann");
  auto impostor = client("ann");
  auto status = impostor->wait(exit_timeout);
  EXPECT_TRUE(status.exited_with(3)) << status << '\n' << impostor->describe();
  EXPECT_NE(impostor->stderr_text().find("login refused"), std::string::npos)
      << impostor->describe();
}

// A socket bound but never listening holds the port, so connecting is refused, with no race
// against another test taking a port we merely guessed was free.
TEST_F(ChatClientProcessTest, NothingListeningExitsOneWithCannotConnect) {
  int holder = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(holder, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(holder, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::getsockname(holder, reinterpret_cast<sockaddr*>(&addr), &len), 0);

  auto ann = client("ann", ntohs(addr.sin_port));
  auto status = ann->wait(exit_timeout);
  ::close(holder);
  EXPECT_TRUE(status.exited_with(1)) << status << '\n' << ann->describe();
  EXPECT_NE(ann->stderr_text().find("cannot connect"), std::string::npos) << ann->describe();
}

TEST_F(ChatClientProcessTest, MissingNameExitsTwo) {
  child_process nameless{CHAT_CLIENT_BIN, {"--port", std::to_string(port_)}};
  auto status = nameless.wait(exit_timeout);
  EXPECT_TRUE(status.exited_with(2)) << status << '\n' << nameless.describe();
  EXPECT_NE(nameless.stderr_text().find("--name"), std::string::npos) << nameless.describe();
}

TEST_F(ChatClientProcessTest, ServerSigtermMakesAConnectedClientExitOneWithConnectionClosed) {
  auto ann = logged_in_client("ann");
  ASSERT_FALSE(HasFailure());
  server_->send_signal(SIGTERM);
  auto server_status = server_->wait(exit_timeout);
  EXPECT_TRUE(server_status.exited_with(0)) << server_status << '\n' << server_->describe();
  auto status = ann->wait(exit_timeout); // stdin stays open: only the closed connection ends it
  EXPECT_TRUE(status.exited_with(1)) << status << '\n' << ann->describe();
  EXPECT_NE(ann->stderr_text().find("connection closed"), std::string::npos) << ann->describe();
}

// /paste (issue 14): a file of 3,000 lines, about 150 KB, larger than a frame, goes as one
// message in parts and shows on the other side line for line; what cannot go is said.
TEST_F(ChatClientProcessTest, PasteSendsAFilesTextAsOneMessageLargerThanAFrame) {
  auto dir = std::filesystem::temp_directory_path() / ("paste-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto file = dir / "notes.txt";
  {
    std::ofstream out{file};
    for (int i = 1; i <= 3000; ++i)
      out << "line " << i << ": the quick brown fox jumps over the lazy dog\n";
  }
  std::ofstream{dir / "binary.bin"} << std::string("\xFF\xFE", 2);
  auto ann = logged_in_client("ann");
  auto bob = logged_in_client("bob");
  ASSERT_FALSE(HasFailure());

  ASSERT_TRUE(ann->write("/paste " + file.string() + "\n"));
  EXPECT_TRUE(ann->wait_for_line_containing(
      "* pasting " + file.string() + ": 163892 bytes, 3000 lines", line_timeout))
      << ann->describe();
  EXPECT_TRUE(bob->wait_for_line_containing(
      "ann: line 1: the quick brown fox jumps over the lazy dog", line_timeout))
      << bob->describe();
  EXPECT_TRUE(bob->wait_for_line_containing(
      "    line 3000: the quick brown fox jumps over the lazy dog", line_timeout))
      << bob->describe();
  ASSERT_TRUE(ann->write("/paste " + (dir / "binary.bin").string() + "\n"));
  EXPECT_TRUE(ann->wait_for_line_containing("binary.bin is not UTF-8 text", line_timeout))
      << ann->describe();
  ASSERT_TRUE(ann->write("/paste " + (dir / "missing.txt").string() + "\n"));
  EXPECT_TRUE(ann->wait_for_line_containing("! cannot paste", line_timeout)) << ann->describe();
  // Chat goes on after it.
  ASSERT_TRUE(ann->write("after the paste\n"));
  EXPECT_TRUE(bob->wait_for_line_containing("ann: after the paste", line_timeout))
      << bob->describe();
  ann->close_stdin();
  bob->close_stdin();
  EXPECT_TRUE(ann->wait(exit_timeout).exited_with(0)) << ann->describe();
  EXPECT_TRUE(bob->wait(exit_timeout).exited_with(0)) << bob->describe();
  std::filesystem::remove_all(dir);
}

} // namespace
