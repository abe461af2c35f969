// terminal_test.cpp -- chat-client as a person uses it: under a real terminal (tmux), a line from
// someone else appears above the prompt while the half-typed line stays intact; channels, the
// prompt that names the current one, presence and direct messages between two chat-clients;
// and --script.
#include "tests/support/binaries.hpp"
#include "tests/support/child_process.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>

namespace {

using namespace std::chrono_literals;
using chat::test::child_process;

// Runs a shell command, returns what it printed.
std::string run(const std::string& command) {
  std::string out;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    std::array<char, 4096> buf;
    while (auto n = std::fread(buf.data(), 1, buf.size(), p))
      out.append(buf.data(), n);
    ::pclose(p);
  }
  return out;
}

// A raw protocol client for the other side of the conversation (no project code).
class raw_peer {
public:
  explicit raw_peer(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~raw_peer() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(uint8_t type, const std::string& payload) {
    auto len = static_cast<uint32_t>(payload.size() + 1);
    std::string frame{char(len), char(len >> 8), char(len >> 16), char(len >> 24), char(type)};
    frame += payload;
    [[maybe_unused]] auto n = ::write(fd_, frame.data(), frame.size());
  }
  // Payload of the next frame, or "" after 5 s.
  std::string next() {
    std::string header = read_exactly(5);
    if (header.size() < 5) return "";
    auto len = static_cast<uint8_t>(header[0]) | (static_cast<uint8_t>(header[1]) << 8);
    return read_exactly(static_cast<std::size_t>(len - 1));
  }

private:
  std::string read_exactly(std::size_t n) {
    std::string out;
    while (out.size() < n) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return out;
      char buf[4096];
      auto got = ::read(fd_, buf, std::min(n - out.size(), sizeof buf));
      if (got <= 0) return out;
      out.append(buf, static_cast<std::size_t>(got));
    }
    return out;
  }
  int fd_ = -1;
  bool connected_ = false;
};

class TerminalTest : public testing::Test {
protected:
  void SetUp() override {
    server_ = std::make_unique<child_process>(::chat::test::chat_server_bin(),
                                              std::vector<std::string>{"--port=0"});
    auto line = server_->wait_for_line_containing("listening on", 10s);
    ASSERT_TRUE(line) << server_->describe();
    port_ = std::stoi(line->substr(line->find("127.0.0.1:") + 10));
    socket_ = "chat-test-" + std::to_string(::getpid());
  }
  void TearDown() override { run(tmux() + " kill-server 2>/dev/null"); }

  std::string tmux() const { return "tmux -L " + socket_; }
  std::string screen(const std::string& session = "chat") {
    return run(tmux() + " capture-pane -p -t " + session);
  }

  // Waits (5 s at most) until the screen satisfies `ok`; returns the last screen seen.
  template <class Predicate> std::string wait_screen(Predicate ok) {
    return wait_screen_of("chat", ok);
  }
  template <class Predicate> std::string wait_screen_of(const std::string& session, Predicate ok) {
    std::string s;
    for (int i = 0; i < 100; ++i) {
      s = screen(session);
      if (ok(s)) break;
      std::this_thread::sleep_for(50ms);
    }
    return s;
  }
  // Until `text` is on the session's screen; returns the last screen seen.
  std::string wait_text(const std::string& session, const std::string& text) {
    return wait_screen_of(session,
                          [&](const std::string& x) { return x.find(text) != std::string::npos; });
  }

  // A chat-client named `name` in tmux session `name`, logged in and in #lobby.
  void start_client(const std::string& name) {
    auto command =
        std::string{CHAT_CLIENT_BIN} + " --port " + std::to_string(port_) + " --name " + name;
    run(tmux() + " new-session -d -s " + name + " -x 100 -y 20 -e TERM=xterm '" + command + "'");
  }
  void type_line(const std::string& session, const std::string& text) {
    run(tmux() + " send-keys -t " + session + " -l '" + text + "'");
    run(tmux() + " send-keys -t " + session + " Enter");
  }

  std::unique_ptr<child_process> server_;
  int port_ = 0;
  std::string socket_;
};

// The last non-empty line of a captured screen.
std::string last_line(const std::string& screen) {
  auto end = screen.find_last_not_of("\n ");
  if (end == std::string::npos) return "";
  auto start = screen.rfind('\n', end);
  return screen.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start + 1));
}

TEST_F(TerminalTest, IncomingLineAppearsAbovePromptAndTypedTextSurvives) {
  auto command = std::string{CHAT_CLIENT_BIN} + " --port " + std::to_string(port_) + " --name ann";
  run(tmux() + " new-session -d -s chat -x 100 -y 20 -e TERM=xterm '" + command + "'");
  // capture-pane trims trailing blanks: an empty prompt reads "ann #lobby>". It names the
  // current channel once the client is in it, after the login reply (a sanitizer build takes
  // its time).
  auto s = wait_screen([](const std::string& x) {
    return x.find("ann #lobby>") != std::string::npos && x.find("* Login OK") != std::string::npos;
  });
  ASSERT_NE(s.find("ann #lobby>"), std::string::npos) << s;
  run(tmux() + " send-keys -t chat -l 'hello wor'");
  wait_screen(
      [](const std::string& x) { return x.find("ann #lobby> hello wor") != std::string::npos; });

  raw_peer bob{port_};
  ASSERT_TRUE(bob.connected());
  bob.send(1, "bob");
  ASSERT_EQ(bob.next(), "Login OK");
  bob.send(3, "hi from bob");
  ASSERT_EQ(bob.next(), "bob: hi from bob");

  // The incoming line, and the prompt with the typed text redrawn under it (a moment later).
  s = wait_screen([](const std::string& x) {
    return x.find("bob: hi from bob") != std::string::npos &&
           last_line(x) == "ann #lobby> hello wor";
  });
  ASSERT_NE(s.find("bob: hi from bob"), std::string::npos) << s;
  EXPECT_NE(s.find("#lobby bob: hi from bob"), std::string::npos) << s;
  EXPECT_EQ(last_line(s), "ann #lobby> hello wor") << "the typed text was disturbed:\n" << s;
  EXPECT_LT(s.find("bob: hi from bob"), s.rfind("ann #lobby> hello wor")) << s;

  run(tmux() + " send-keys -t chat -l 'ld'");
  run(tmux() + " send-keys -t chat Enter");
  EXPECT_EQ(bob.next(), "ann: hello world"); // the whole edited line went out
  // A second line, typed after one was sent, survives an incoming line too (libedit keeps the
  // finished line in its display state unless the console starts afresh).
  run(tmux() + " send-keys -t chat -l 'second li'");
  wait_screen(
      [](const std::string& x) { return x.find("ann #lobby> second li") != std::string::npos; });
  bob.send(3, "interrupting");
  ASSERT_EQ(bob.next(), "bob: interrupting");
  s = wait_screen(
      [](const std::string& x) { return x.find("bob: interrupting") != std::string::npos; });
  EXPECT_EQ(last_line(s), "ann #lobby> second li") << "the second typed line was disturbed:\n" << s;
  run(tmux() + " send-keys -t chat C-u"); // clear it again
  run(tmux() + " send-keys -t chat -l '/ping'");
  run(tmux() + " send-keys -t chat Enter");
  s = wait_screen([](const std::string& x) { return x.find("* pong in") != std::string::npos; });
  EXPECT_NE(s.find("* pong in"), std::string::npos) << s;
  run(tmux() + " send-keys -t chat -l '/quit'");
  run(tmux() + " send-keys -t chat Enter");
  for (int i = 0; i < 100 && run(tmux() + " has-session -t chat 2>&1").empty(); ++i)
    std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(run(tmux() + " has-session -t chat 2>&1").empty()) << "chat-client did not quit";
}

// Two chat-clients: /join makes a channel current and the prompt says so; a line from another
// channel arrives marked with it; presence lines; /msg both ways; /who; refusals as "!" lines.
TEST_F(TerminalTest, ChannelsPromptPresenceAndDirectMessages) {
  start_client("ann");
  start_client("bob");
  for (auto* who : {"ann", "bob"}) {
    auto s = wait_text(who, std::string{who} + " #lobby>");
    ASSERT_NE(s.find(std::string{who} + " #lobby>"), std::string::npos) << s;
  }
  type_line("ann", "/join #rust");
  // The notice and the new prompt are two writes: a loaded machine shows the screen between.
  auto s = wait_screen_of("ann", [](const std::string& x) {
    return x.find("* ann joined #rust") != std::string::npos && last_line(x) == "ann #rust>";
  });
  EXPECT_NE(s.find("* ann joined #rust"), std::string::npos) << s;
  EXPECT_EQ(last_line(s), "ann #rust>") << s;

  type_line("bob", "/join rust"); // the # is optional
  s = wait_text("ann", "* bob joined #rust");
  EXPECT_NE(s.find("* bob joined #rust"), std::string::npos) << s;
  type_line("bob", "/part");
  s = wait_text("ann", "* bob left #rust");
  EXPECT_NE(s.find("* bob left #rust"), std::string::npos) << s;
  s = wait_screen_of("bob", [](const std::string& x) {
    return x.find("* you left #rust; talking in #lobby") != std::string::npos &&
           last_line(x) == "bob #lobby>";
  });
  EXPECT_NE(s.find("* you left #rust; talking in #lobby"), std::string::npos) << s;

  run(tmux() + " send-keys -t ann -l 'half'");
  type_line("bob", "hi from the lobby"); // bob's current channel is #lobby again
  // The line is printed first and the prompt with the typed text redrawn under it right after:
  // wait for both, or a loaded machine shows the screen between the two.
  s = wait_screen_of("ann", [](const std::string& x) {
    return x.find("#lobby bob: hi from the lobby") != std::string::npos &&
           last_line(x) == "ann #rust> half";
  });
  EXPECT_NE(s.find("#lobby bob: hi from the lobby"), std::string::npos) << s;
  EXPECT_EQ(last_line(s), "ann #rust> half") << "the typed text was disturbed:\n" << s;
  run(tmux() + " send-keys -t ann C-u");

  type_line("ann", "/msg bob psst");
  s = wait_text("bob", "[dm] ann: psst");
  EXPECT_NE(s.find("[dm] ann: psst"), std::string::npos) << s;
  s = wait_text("ann", "[dm -> bob] psst");
  EXPECT_NE(s.find("[dm -> bob] psst"), std::string::npos) << s;
  type_line("ann", "/msg nobody hello");
  s = wait_text("ann", "* kept until nobody logs in");
  EXPECT_NE(s.find("* kept until nobody logs in"), std::string::npos) << s;
  type_line("ann", "/msg " + std::string(33, 'x') + " hello"); // no one could hold that name
  s = wait_text("ann", "! no such user");
  EXPECT_NE(s.find("! no such user"), std::string::npos) << s;

  type_line("ann", "only rust hears this");
  s = wait_text("ann", "#rust ann: only rust hears this");
  EXPECT_NE(s.find("#rust ann: only rust hears this"), std::string::npos) << s;
  type_line("ann", "/who");
  s = wait_text("ann", "* #rust (1): ann");
  EXPECT_NE(s.find("* #rust (1): ann"), std::string::npos) << s;
  EXPECT_EQ(screen("bob").find("only rust hears this"), std::string::npos) << screen("bob");
}

// -- script mode ---------------------------------------------------------------------------

std::string write_script(const std::string& name, const std::string& text) {
  auto path = std::string{"/tmp/"} + name + "-" + std::to_string(::getpid()) + ".chat";
  std::ofstream{path} << text;
  return path;
}

TEST_F(TerminalTest, ScriptThatHoldsExitsZero) {
  auto path = write_script("pass", "ann > LOGIN ann | ann < LOGIN \"Login OK\"\n"
                                   "ann > SEND_MSG hi | ann < SEND_MSG \"Echo: hi\"\n");
  child_process c{CHAT_CLIENT_BIN, {"--port", std::to_string(port_), "--script", path}};
  auto status = c.wait(10s);
  EXPECT_TRUE(status.exited_with(0)) << c.describe();
  EXPECT_NE(c.stdout_text().find("all 4 steps held"), std::string::npos) << c.describe();
  ::unlink(path.c_str());
}

TEST_F(TerminalTest, ScriptWithAnUnmetExpectationSaysWhichAndExitsOne) {
  auto path = write_script("fail", "ann > LOGIN ann | ann < LOGIN \"Login OK\"\n"
                                   "ann > SEND_MSG hi | ann < SEND_MSG \"Echo: bye\"\n");
  child_process c{CHAT_CLIENT_BIN, {"--port", std::to_string(port_), "--script", path}};
  auto status = c.wait(10s);
  EXPECT_TRUE(status.exited_with(1)) << c.describe();
  EXPECT_NE(c.stderr_text().find("line 2: ann < SEND_MSG \"Echo: bye\": got SEND_MSG \"Echo: hi\""),
            std::string::npos)
      << c.describe();
  ::unlink(path.c_str());
}

TEST_F(TerminalTest, MalformedScriptExitsTwo) {
  auto path = write_script("bad", "ann ? LOGIN ann\n");
  child_process c{CHAT_CLIENT_BIN, {"--port", std::to_string(port_), "--script", path}};
  EXPECT_TRUE(c.wait(10s).exited_with(2)) << c.describe();
  EXPECT_NE(c.stderr_text().find("line 1: unknown operator"), std::string::npos) << c.describe();
  ::unlink(path.c_str());
}

} // namespace
