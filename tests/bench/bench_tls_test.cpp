// bench_tls_test.cpp -- chat-bench's TLS session (apps/chat-bench/bench_tls.hpp) as a unit, with
// no socket: it handshakes with an OpenSSL server session through memory, its records come out
// whole however the bytes are cut, and a wrong name, a plain-text server and a missing CA file
// each fail with words that say so.
#include "apps/chat-bench/bench_tls.hpp"
#include "tests/support/dev_certificates.hpp"

#include <gtest/gtest.h>

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <vector>

namespace {

using chat::bench::tls_channel;
using chat::bench::tls_client_context;

// The other end: an OpenSSL server session with the test certificate, over memory BIOs.
class server_end {
public:
  explicit server_end(const chat::test::dev_certificates& certs)
      : ctx_(SSL_CTX_new(TLS_server_method())) {
    SSL_CTX_use_certificate_chain_file(ctx_.get(), certs.file("server.pem").c_str());
    SSL_CTX_use_PrivateKey_file(ctx_.get(), certs.file("server.key").c_str(), SSL_FILETYPE_PEM);
    ssl_.reset(SSL_new(ctx_.get()));
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in_, -1);
    BIO_set_mem_eof_return(out_, -1);
    SSL_set_bio(ssl_.get(), in_, out_);
    SSL_set_accept_state(ssl_.get());
  }

  void put(const std::vector<char>& bytes) {
    if (!bytes.empty()) BIO_write(in_, bytes.data(), static_cast<int>(bytes.size()));
    SSL_do_handshake(ssl_.get());
  }
  std::vector<char> take() {
    std::vector<char> out(BIO_ctrl_pending(out_));
    if (!out.empty()) BIO_read(out_, out.data(), static_cast<int>(out.size()));
    return out;
  }
  std::string read_all() {
    std::string text;
    char buf[4096];
    std::size_t got = 0;
    while (SSL_read_ex(ssl_.get(), buf, sizeof buf, &got) == 1)
      text.append(buf, got);
    return text;
  }
  void write(const std::string& text) {
    std::size_t written = 0;
    SSL_write_ex(ssl_.get(), text.data(), text.size(), &written);
  }
  bool established() const { return SSL_is_init_finished(ssl_.get()) == 1; }

private:
  struct free_ctx {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
  };
  struct free_ssl {
    void operator()(SSL* s) const { SSL_free(s); }
  };
  std::unique_ptr<SSL_CTX, free_ctx> ctx_;
  std::unique_ptr<SSL, free_ssl> ssl_;
  BIO* in_ = nullptr;
  BIO* out_ = nullptr;
};

std::shared_ptr<const tls_client_context> context(const std::string& ca_file) {
  auto made = tls_client_context::make(ca_file);
  if (auto* why = std::get_if<std::string>(&made)) ADD_FAILURE() << *why;
  return std::get<std::shared_ptr<const tls_client_context>>(made);
}

// Moves the handshake's messages both ways until the client is done or fails (a few rounds).
tls_channel::status handshake(tls_channel& client, server_end& server) {
  auto st = client.handshake();
  for (int round = 0; round < 10 && st == tls_channel::status::ok && !client.established();
       ++round) {
    std::vector<char> bytes;
    client.take_output(bytes);
    server.put(bytes);
    auto answer = server.take();
    client.put(answer.data(), answer.size());
    st = client.handshake();
  }
  return st;
}

class BenchTlsTest : public ::testing::Test {
protected:
  void SetUp() override { ASSERT_TRUE(certs_.made) << "scripts/dev-cluster-ca.sh failed"; }
  chat::test::dev_certificates certs_;
};

TEST_F(BenchTlsTest, HandshakesThroughMemoryAndRecordsComeOutWholeHoweverCut) {
  auto ctx = context(certs_.file("ca.pem"));
  ASSERT_TRUE(ctx->verifies());
  tls_channel client{*ctx, "127.0.0.1"};
  server_end server{certs_};
  ASSERT_EQ(handshake(client, server), tls_channel::status::ok) << client.error();
  ASSERT_TRUE(client.established());
  EXPECT_EQ(client.version().rfind("TLSv1.", 0), 0u) << client.version();

  // More than one record's worth (16 KiB) from the client, sealed after its Finished message.
  std::string big(40000, 'x');
  ASSERT_TRUE(client.seal(big.data(), big.size())) << client.error();
  std::vector<char> bytes;
  client.take_output(bytes);
  server.put(bytes);
  EXPECT_TRUE(server.established());
  EXPECT_EQ(server.read_all(), big);

  // The server's records (session tickets first, in TLS 1.3) fed one byte at a time.
  server.write("hello over TLS");
  auto from_server = server.take();
  std::string plain;
  char buf[64];
  for (char byte : from_server) {
    ASSERT_TRUE(client.put(&byte, 1));
    auto st = tls_channel::status::ok;
    while (auto got = client.read(buf, sizeof buf, st))
      plain.append(buf, got);
    ASSERT_EQ(st, tls_channel::status::ok) << client.error();
  }
  EXPECT_EQ(plain, "hello over TLS");
}

TEST_F(BenchTlsTest, AVerifyingClientRefusesACertificateForAnotherAddress) {
  auto ctx = context(certs_.file("ca.pem"));
  tls_channel client{*ctx, "127.0.0.2"}; // the certificate names 127.0.0.1
  server_end server{certs_};
  EXPECT_EQ(handshake(client, server), tls_channel::status::failed);
  EXPECT_NE(client.error().find("certificate verify failed"), std::string::npos) << client.error();
}

TEST_F(BenchTlsTest, WithoutACaNothingIsVerified) {
  auto ctx = context("");
  EXPECT_FALSE(ctx->verifies());
  tls_channel client{*ctx, "127.0.0.2"};
  server_end server{certs_};
  EXPECT_EQ(handshake(client, server), tls_channel::status::ok) << client.error();
  EXPECT_TRUE(client.established());
}

TEST_F(BenchTlsTest, APlainTextServerFailsTheHandshakeAndIsNamed) {
  auto ctx = context("");
  tls_channel client{*ctx, "127.0.0.1"};
  ASSERT_EQ(client.handshake(), tls_channel::status::ok);
  // An ERROR frame of ours: 4-byte length, type, text.
  std::string frame{"\x2a\x00\x00\x00\x05", 5};
  frame += "this port speaks something else, not TLS";
  ASSERT_TRUE(client.put(frame.data(), frame.size()));
  EXPECT_EQ(client.handshake(), tls_channel::status::failed);
  EXPECT_NE(client.error().find("(the server does not speak TLS on this port)"), std::string::npos)
      << client.error();
  EXPECT_FALSE(client.put("x", 1)); // failed for good
}

TEST(BenchTlsContextTest, AMissingCaFileIsAnErrorThatNamesIt) {
  auto made = tls_client_context::make("/nonexistent/ca.pem");
  auto* why = std::get_if<std::string>(&made);
  ASSERT_NE(why, nullptr);
  EXPECT_NE(why->find("/nonexistent/ca.pem"), std::string::npos) << *why;
}

} // namespace
