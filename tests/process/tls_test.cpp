// tls_test.cpp -- TLS on the protocol port (issue 13, part 1; docs/ARCHITECTURE.md "TLS"):
// chat-server started with --tls-cert/--tls-key, clients on Asio's own ssl::stream (tls_client)
// and chat-client --tls. Chat works; a wrong CA, an expired certificate, plain text to the TLS
// port and TLS to a plain port each end clearly and fast; a stalled handshake is cut after
// --tls-handshake-timeout and frees its slot; SIGHUP reloads the certificate while open
// connections go on. Certificates come from scripts/dev-cluster-ca.sh.
#include "tests/process/tls_client.hpp"
#include "tests/support/binaries.hpp"
#include "tests/support/dev_certificates.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace chat::reliability {
namespace {

using test::dev_certificates;

std::vector<std::string> tls_args(const dev_certificates& c, const std::string& cert = "server",
                                  std::vector<std::string> extra = {}) {
  std::vector<std::string> a{"--tls-cert=" + c.file(cert + ".pem"),
                             "--tls-key=" + c.file(cert + ".key"), "--data-dir=:memory:"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

// chat-client --tls as cy, `line` on its standard input: its exit status and all it printed.
std::pair<int, std::string> chat_client(const std::string& line, uint16_t port,
                                        const std::string& ca_file) {
  auto command = "echo '" + line + "' | timeout 20 " + std::string{CHAT_CLIENT_BIN} +
                 " --port=" + std::to_string(port) + " --name=cy --tls --tls-ca=" + ca_file +
                 " 2>&1";
  std::string text;
  auto* out = ::popen(command.c_str(), "r");
  if (out == nullptr) return {-1, "popen failed"};
  char buf[512];
  while (auto n = std::fread(buf, 1, sizeof buf, out))
    text.append(buf, n);
  return {::pclose(out), text};
}

class TlsTest : public testing::Test {
protected:
  void SetUp() override { ASSERT_TRUE(certs.made) << "scripts/dev-cluster-ca.sh failed"; }
  dev_certificates certs{"--expired"}; // ca.pem also signs expired.pem
};

TEST_F(TlsTest, ClientsChatOverTls) {
  server_process server{tls_args(certs)};
  ASSERT_TRUE(server.started()) << server.describe();
  EXPECT_TRUE(server.wait_for_log("TLS on the client ports: subject /CN=server", io_timeout));
  tls_client ann{server.port(), certs.file("ca.pem")};
  ASSERT_TRUE(ann.handshake()) << ann.error();
  ASSERT_TRUE(ann.log_in("ann")) << ann.error();
  tls_client bob{server.port(), certs.file("ca.pem"), "localhost"}; // either name is in the SAN
  ASSERT_TRUE(bob.handshake()) << bob.error();
  ASSERT_TRUE(bob.log_in("bob")) << bob.error();
  ASSERT_TRUE(ann.send_frame(type::broadcast_msg, "hi over TLS"));
  for (auto* c : {&ann, &bob}) {
    auto f = c->read_frame();
    ASSERT_TRUE(f) << c->error();
    EXPECT_EQ(*f, (frame{type::broadcast_msg, "ann: hi over TLS"}));
  }
  // A frame larger than one TLS record (16 KiB) arrives whole.
  std::string big(40000, 'x');
  ASSERT_TRUE(bob.send_frame(type::send_msg, big));
  auto echo = bob.read_frame();
  ASSERT_TRUE(echo) << bob.error();
  EXPECT_EQ(echo->payload, "Echo: " + big);
}

TEST_F(TlsTest, ChatClientSpeaksTls) {
  server_process server{tls_args(certs)};
  ASSERT_TRUE(server.started()) << server.describe();
  tls_client ann{server.port(), certs.file("ca.pem")};
  ASSERT_TRUE(ann.handshake()) << ann.error();
  ASSERT_TRUE(ann.log_in("ann")) << ann.error();
  auto [status, text] = chat_client("hello from the terminal", server.port(), certs.file("ca.pem"));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << text;
  // ann sees cy's line (after cy's join notice, which a version-1 client does not get).
  std::optional<frame> f;
  while ((f = ann.read_frame()) &&
         f->payload.find("hello from the terminal") == std::string::npos) {
  }
  ASSERT_TRUE(f) << ann.error() << "; chat-client said: " << text;
  EXPECT_EQ(f->payload, "cy: hello from the terminal");
}

TEST_F(TlsTest, AClientThatTrustsAnotherCaRefusesTheServer) {
  server_process server{tls_args(certs)};
  ASSERT_TRUE(server.started()) << server.describe();
  tls_client mallory{server.port(), certs.file("other/ca.pem")};
  EXPECT_FALSE(mallory.handshake());
  EXPECT_NE(mallory.error().find("certificate verify failed"), std::string::npos)
      << mallory.error();
  // The server logs the client's refusal (its alert) and holds nothing for it.
  EXPECT_TRUE(server.wait_for_log("TLS refused: peer=127.0.0.1:", io_timeout))
      << server.stderr_text();
  EXPECT_TRUE(server.wait_for_log("unknown ca", io_timeout)) << server.stderr_text();

  // chat-client says why, and exits 1.
  auto [status, text] = chat_client("hi", server.port(), certs.file("other/ca.pem"));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << text;
  EXPECT_NE(text.find("cannot connect to 127.0.0.1:" + std::to_string(server.port()) +
                      ": TLS handshake failed: certificate verify failed"),
            std::string::npos)
      << text;
}

TEST_F(TlsTest, AnExpiredCertificateIsRefusedByClientsAndWarnedAtStart) {
  server_process server{tls_args(certs, "expired")};
  ASSERT_TRUE(server.started()) << server.describe();
  EXPECT_TRUE(server.wait_for_log("has EXPIRED", io_timeout)) << server.stderr_text();
  tls_client ann{server.port(), certs.file("ca.pem")};
  EXPECT_FALSE(ann.handshake());
  EXPECT_NE(ann.error().find("certificate has expired"), std::string::npos) << ann.error();
}

TEST_F(TlsTest, PlainTextToTheTlsPortGetsAnErrorAndAClose) {
  server_process server{tls_args(certs)};
  ASSERT_TRUE(server.started()) << server.describe();
  raw_client old{server.port()};
  ASSERT_TRUE(old.connected());
  auto started = clock_type::now();
  ASSERT_TRUE(old.send_frame(type::login, "ann"));
  EXPECT_TRUE(next_frame_is(
      old, {type::error, "this port speaks TLS: connect with TLS (chat-client --tls)"}));
  EXPECT_EQ(old.wait_closed(), raw_client::ending::eof);
  EXPECT_LT(clock_type::now() - started, 2s);
  EXPECT_TRUE(server.wait_for_log("spoke plain text to a TLS port", io_timeout));
}

TEST_F(TlsTest, TlsToAPlainPortFailsFast) {
  server_process server{{"--data-dir=:memory:"}};
  ASSERT_TRUE(server.started()) << server.describe();
  tls_client ann{server.port(), certs.file("ca.pem")};
  auto started = clock_type::now();
  EXPECT_FALSE(ann.handshake());
  EXPECT_NE(ann.error(), "timed out");
  EXPECT_LT(clock_type::now() - started, 2s);
  // The server took the ClientHello for an oversized frame and said so, in its own protocol;
  // chat-client shows those words.
  EXPECT_TRUE(server.wait_for_log("frame", io_timeout)) << server.stderr_text();
  auto [status, text] = chat_client("hi", server.port(), certs.file("ca.pem"));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << text;
  EXPECT_NE(text.find("does not speak TLS on this port): the server answered in plain text: "
                      "ERROR \"frame too large\""),
            std::string::npos)
      << text;
}

// `server full` goes out before any handshake, so in plain text: a TLS client reads it as such.
TEST_F(TlsTest, AFullTlsServerSaysSoToATlsClient) {
  server_process server{tls_args(certs, "server", {"--max-connections=1"})};
  ASSERT_TRUE(server.started()) << server.describe();
  tls_client ann{server.port(), certs.file("ca.pem")};
  ASSERT_TRUE(ann.handshake()) << ann.error();
  ASSERT_TRUE(ann.log_in("ann")) << ann.error();
  auto [status, text] = chat_client("hi", server.port(), certs.file("ca.pem"));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << text;
  EXPECT_NE(text.find("the server answered in plain text: ERROR \"server full\""),
            std::string::npos)
      << text;
}

TEST_F(TlsTest, AStalledHandshakeIsCutAfterTheTimeoutAndFreesItsSlot) {
  server_process server{
      tls_args(certs, "server", {"--tls-handshake-timeout=300ms", "--max-connections=2"})};
  ASSERT_TRUE(server.started()) << server.describe();
  raw_client silent{server.port()};
  raw_client halfway{server.port()};
  ASSERT_TRUE(silent.connected() && halfway.connected());
  // The first 9 bytes of a ClientHello record: header and the start of the handshake message.
  ASSERT_TRUE(halfway.send_bytes(std::string{"\x16\x03\x01\x00\xc8\x01\x00\x00\xc4", 9}));
  auto started = clock_type::now();
  EXPECT_EQ(silent.wait_closed(3s), raw_client::ending::eof);
  EXPECT_EQ(halfway.wait_closed(3s), raw_client::ending::eof);
  auto took = clock_type::now() - started;
  EXPECT_GE(took, 200ms);
  EXPECT_LT(took, 3s);
  EXPECT_TRUE(server.wait_for_log("handshake not done after 300 ms", io_timeout));
  // Both slots are free again: two clients fit.
  tls_client ann{server.port(), certs.file("ca.pem")};
  tls_client bob{server.port(), certs.file("ca.pem")};
  ASSERT_TRUE(ann.handshake()) << ann.error();
  ASSERT_TRUE(bob.handshake()) << bob.error();
  EXPECT_TRUE(ann.log_in("ann")) << ann.error();
  EXPECT_TRUE(bob.log_in("bob")) << bob.error();
}

TEST_F(TlsTest, SighupReloadsTheCertificateAndOpenConnectionsGoOn) {
  // The server reads its certificate from files of its own, replaced below.
  std::filesystem::copy_file(certs.file("server.pem"), certs.file("live.pem"));
  std::filesystem::copy_file(certs.file("server.key"), certs.file("live.key"));
  server_process server{tls_args(certs, "live")};
  ASSERT_TRUE(server.started()) << server.describe();
  tls_client ann{server.port(), certs.file("ca.pem")};
  ASSERT_TRUE(ann.handshake()) << ann.error();
  ASSERT_TRUE(ann.log_in("ann")) << ann.error();

  // A broken pair is refused and the old certificate stays.
  std::filesystem::copy_file(certs.file("other/server.pem"), certs.file("live.pem"),
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  EXPECT_TRUE(server.wait_for_log("TLS certificate NOT reloaded", io_timeout))
      << server.stderr_text();
  tls_client still_old{server.port(), certs.file("ca.pem")};
  EXPECT_TRUE(still_old.handshake()) << still_old.error();

  // The other CA's pair is taken.
  std::filesystem::copy_file(certs.file("other/server.key"), certs.file("live.key"),
                             std::filesystem::copy_options::overwrite_existing);
  ASSERT_EQ(::kill(server.pid(), SIGHUP), 0);
  EXPECT_TRUE(server.wait_for_log("TLS certificate reloaded from", io_timeout))
      << server.stderr_text();
  tls_client bob{server.port(), certs.file("other/ca.pem")};
  ASSERT_TRUE(bob.handshake()) << bob.error();
  ASSERT_TRUE(bob.log_in("bob")) << bob.error();
  tls_client old_ca{server.port(), certs.file("ca.pem")};
  EXPECT_FALSE(old_ca.handshake());

  // ann's connection, made with the first certificate, chats on with bob's.
  ASSERT_TRUE(ann.send_frame(type::broadcast_msg, "still here"));
  for (auto* c : {&ann, &bob}) {
    auto f = c->read_frame();
    ASSERT_TRUE(f) << c->error();
    EXPECT_EQ(*f, (frame{type::broadcast_msg, "ann: still here"}));
  }
}

// A TLS reader that stops reading is cut like a plain one: what it reads afterwards is whole
// frames in order, then ERROR "slow consumer" inside the same TLS stream, then the end; the
// sender, who keeps reading, is never held back.
TEST_F(TlsTest, ASlowTlsReaderIsCutAsASlowConsumerWithItsErrorInsideTheStream) {
  server_process server{
      tls_args(certs, "server", {"--max-broadcast-rate=0", "--max-outbound-bytes=262144"})};
  ASSERT_TRUE(server.started()) << server.describe();
  tls_client slow{server.port(), certs.file("ca.pem")};
  tls_client talker{server.port(), certs.file("ca.pem")};
  ASSERT_TRUE(slow.handshake() && talker.handshake()) << slow.error() << talker.error();
  ASSERT_TRUE(slow.log_in("slow") && talker.log_in("talker"));
  constexpr int messages = 3000;
  const std::string filler(1000, 'x');
  for (int i = 0; i < messages && !server.wait_for_log("slow consumer", 0ms); ++i) {
    ASSERT_TRUE(talker.send_frame(type::broadcast_msg, std::to_string(i) + ' ' + filler));
    auto echo = talker.read_frame();
    ASSERT_TRUE(echo) << talker.error();
    EXPECT_EQ(echo->payload, "talker: " + std::to_string(i) + ' ' + filler);
  }
  ASSERT_TRUE(server.wait_for_log("slow consumer", io_timeout)) << server.stderr_text();
  int next = 0;
  std::optional<frame> f;
  while ((f = slow.read_frame()) && f->type == type::broadcast_msg) {
    ASSERT_EQ(f->payload, "talker: " + std::to_string(next) + ' ' + filler);
    ++next;
  }
  ASSERT_TRUE(f) << slow.error() << " after " << next << " broadcasts";
  EXPECT_EQ(*f, (frame{type::error, "slow consumer"}));
  EXPECT_GT(next, 0);
  EXPECT_LT(next, messages);
  EXPECT_TRUE(slow.wait_closed());
}

TEST_F(TlsTest, ServerRefusesToStartWithAKeyThatIsNotTheCertificates) {
  test::child_process server{CHAT_SERVER_BIN,
                             {"--port=0", "--tls-cert=" + certs.file("server.pem"),
                              "--tls-key=" + certs.file("other/server.key")}};
  auto status = server.wait(startup_timeout);
  EXPECT_TRUE(status.exited_with(2)) << server.describe();
  EXPECT_NE(server.stderr_text().find("with certificate " + certs.file("server.pem") +
                                      ": key values mismatch"),
            std::string::npos)
      << server.stderr_text();
}

} // namespace
} // namespace chat::reliability
