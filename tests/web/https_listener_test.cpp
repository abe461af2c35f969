// https_listener_test.cpp -- the HTTP listener with TLS credentials (HTTPS and wss://), over
// real loopback sockets: a chat node's sessions behind it (roster, directory, the session actor)
// and clients that verify the server against a throwaway CA (scripts/dev-cluster-ca.sh). Chat
// over wss, pages over HTTPS, the clear refusal of plain HTTP, a client trusting another CA,
// stalled handshakes cut after the timeout with their slot freed, and a certificate reload that
// open connections outlive.
#include "actors/directory.hpp"
#include "actors/roster.hpp"
#include "actors/session.hpp"
#include "apps/chat-server/cluster_tls.hpp"
#include "messages/errors.hpp"
#include "messages/frame_encoder.hpp"
#include "messages/type_ids.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/web/tls_client.hpp"
#include "transport/http_listener.hpp"
#include "transport/io_loop.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <filesystem>
#include <thread>

namespace {

namespace fs = std::filesystem;
using namespace chat::test;
using chat::transport::tcp;

// The server's log lines, for the tests to wait on (bounded, woken by each new line).
class log_capture : public spdlog::sinks::base_sink<std::mutex> {
public:
  bool wait_for(const std::string& needle, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock<std::mutex> lock{lines_mutex_};
    return grew_.wait_for(lock, timeout, [&] { return find(needle); });
  }
  bool seen(const std::string& needle) {
    std::lock_guard<std::mutex> lock{lines_mutex_};
    return find(needle);
  }
  std::string all() {
    std::lock_guard<std::mutex> lock{lines_mutex_};
    std::string out;
    for (auto& l : lines_)
      out += l;
    return out;
  }

protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::lock_guard<std::mutex> lock{lines_mutex_};
    lines_.push_back(fmt::to_string(formatted));
    grew_.notify_all();
  }
  void flush_() override {}

private:
  bool find(const std::string& needle) const {
    for (auto& l : lines_)
      if (l.find(needle) != std::string::npos) return true;
    return false;
  }
  std::mutex lines_mutex_;
  std::condition_variable grew_;
  std::vector<std::string> lines_;
};

// spdlog's default logger writes to `log` while this lives, and is put back when it goes: a
// member declared before the actor system and the I/O loop, so it goes after every thread that
// might still log (a session logs its close).
struct logging_to {
  explicit logging_to(const std::shared_ptr<log_capture>& log)
      : previous(spdlog::default_logger()) {
    log->set_pattern("%l %v\n");
    auto logger = std::make_shared<spdlog::logger>("test", log);
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
  }
  ~logging_to() { spdlog::set_default_logger(previous); }
  std::shared_ptr<spdlog::logger> previous;
};

caf::actor_system_config& configure(caf::actor_system_config& cfg) {
  cfg.add_message_types<caf::id_block::chat>();
  cfg.add_error_category(chat::error_category, chat::render_error);
  return cfg;
}

// Two CAs with a server certificate each (made once for the whole suite), and the files the
// server reads (`live`), a copy of A's until a test puts B's there.
class HttpsListenerTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    certs = new scratch_dir;
    ASSERT_TRUE(make_certificates(certs->path + "/a"));
    ASSERT_TRUE(make_certificates(certs->path + "/b"));
  }
  static void TearDownTestSuite() {
    delete certs;
    certs = nullptr;
  }
  static std::string a(const std::string& file) { return certs->path + "/a/" + file; }
  static std::string b(const std::string& file) { return certs->path + "/b/" + file; }

  HttpsListenerTest() : io(1), sys(configure(cfg)) { install("a"); }

  ~HttpsListenerTest() override {
    if (listener) {
      listener->stop(chat::encode(chat::frame_type::error, "server shutting down"));
      if (!wait_open(0)) listener->abort_all("shutdown timeout");
      listener.reset();
    }
    io.drain_and_join();
    caf::anon_send_exit(roster, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(directory, caf::exit_reason::user_shutdown);
  }

  // Puts CA `which`'s server certificate and key at the paths the server reads.
  void install(const std::string& which) {
    for (auto file : {"server.pem", "server.key"})
      fs::copy_file(certs->path + "/" + which + "/" + file, live + "/" + file,
                    fs::copy_options::overwrite_existing);
  }

  // The listener, HTTPS unless `tls` is false; a WebSocket client gets a session, as in
  // chat-server (apps/chat-server/server.cpp).
  void listen(bool tls = true) {
    chat::transport::listener_policy policy;
    policy.slots = slots;
    if (tls) {
      auto loaded =
          chat::transport::tls_credentials::load(live + "/server.pem", live + "/server.key");
      ASSERT_TRUE(
          std::holds_alternative<std::shared_ptr<chat::transport::tls_credentials>>(loaded));
      credentials = std::get<0>(loaded);
      policy.tls = credentials;
    }
    chat::transport::connection_limits limits;
    limits.tls_handshake_timeout = handshake_timeout;
    auto pages = [](std::string_view path) -> std::optional<chat::transport::http_page> {
      if (path == "/healthz") return chat::transport::http_page{200, "text/plain", "ok\n"};
      return std::nullopt;
    };
    auto on_websocket = [this](const std::shared_ptr<chat::transport::ws_connection>& conn) {
      return chat::connection_owner{sys.spawn(chat::session, roster, directory, conn,
                                              std::make_shared<const chat::session_limits>())};
    };
    listener = std::make_shared<chat::transport::http_listener>(
        io.context(), tcp::endpoint{boost::asio::ip::make_address("127.0.0.1"), 0},
        chat::transport::http_limits{}, limits, policy,
        std::make_shared<chat::transport::outbound_pressure>(), pages, on_websocket);
    listener->start();
  }

  uint16_t port() const { return listener->local_endpoint().port(); }

  // Until nothing is open and every slot is back (bounded).
  bool wait_open(std::size_t n, std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (listener->open_connections() != n || slots->taken() != n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

  static inline scratch_dir* certs = nullptr;
  scratch_dir live_dir;
  std::string live = live_dir.path;
  std::chrono::milliseconds handshake_timeout{300};
  std::shared_ptr<log_capture> log = std::make_shared<log_capture>();
  logging_to logging{log};
  caf::actor_system_config cfg;
  chat::transport::io_loop io; // outlives sys: the sessions hold their connections
  caf::actor_system sys;
  chat::roster_actor roster = sys.spawn(chat::roster);
  chat::directory_actor directory = sys.spawn(chat::directory, chat::directory_options{});
  std::shared_ptr<chat::transport::connection_slots> slots =
      std::make_shared<chat::transport::connection_slots>(100);
  std::shared_ptr<chat::transport::tls_credentials> credentials;
  std::shared_ptr<chat::transport::http_listener> listener;
};

TEST_F(HttpsListenerTest, TwoClientsChatOverWss) {
  ASSERT_NO_FATAL_FAILURE(listen());
  auto trust_a = client_context(a("ca.pem"));
  wss_client ann{port(), trust_a};
  ASSERT_TRUE(ann.connected()) << ann.failure();
  EXPECT_TRUE(same_certificate(ann.server_certificate(), a("server.pem")));
  ASSERT_TRUE(ann.log_in("ann")) << ann.failure();
  ASSERT_TRUE(ann.join(1, "rust")) << ann.failure();
  wss_client bob{port(), trust_a};
  ASSERT_TRUE(bob.connected()) << bob.failure();
  ASSERT_TRUE(bob.log_in("bob")) << bob.failure();
  ASSERT_TRUE(bob.join(1, "rust")) << bob.failure();

  ASSERT_TRUE(ann.send({{"type", "msg"}, {"ref", 2}, {"channel", "rust"}, {"text", "hi bob"}}));
  auto at_bob = bob.next("msg");
  ASSERT_TRUE(at_bob) << bob.failure();
  EXPECT_EQ(at_bob->at("sender").as_string(), "ann");
  EXPECT_EQ(at_bob->at("text").as_string(), "hi bob");
  ASSERT_TRUE(bob.send({{"type", "msg"}, {"ref", 2}, {"channel", "rust"}, {"text", "hi ann ✓"}}));
  auto at_ann = ann.next("msg"); // her own first, in channel order
  ASSERT_TRUE(at_ann) << ann.failure();
  EXPECT_EQ(at_ann->at("text").as_string(), "hi bob");
  at_ann = ann.next("msg");
  ASSERT_TRUE(at_ann) << ann.failure();
  EXPECT_EQ(at_ann->at("sender").as_string(), "bob");
  EXPECT_EQ(at_ann->at("text").as_string(), "hi ann ✓");
  EXPECT_EQ(listener->open_websockets(), 2u);
}

TEST_F(HttpsListenerTest, PagesAreServedOverHttps) {
  ASSERT_NO_FATAL_FAILURE(listen());
  auto got = https_get(port(), client_context(a("ca.pem")), "/healthz");
  EXPECT_EQ(got.failure, "");
  EXPECT_EQ(got.status, 200u);
  EXPECT_EQ(got.body, "ok\n");
  EXPECT_EQ(https_get(port(), client_context(a("ca.pem")), "/nothing").status, 404u);
  EXPECT_TRUE(wait_open(0)) << listener->open_connections() << " open, " << slots->taken()
                            << " slots taken";
}

TEST_F(HttpsListenerTest, PlainHttpToTheHttpsPortGetsAClearRefusalAndAClose) {
  ASSERT_NO_FATAL_FAILURE(listen());
  auto got =
      send_and_read_until_closed(port(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 5s);
  EXPECT_TRUE(got.closed) << "no close within 5 s; received: " << got.received;
  EXPECT_EQ(got.received.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << got.received;
  EXPECT_NE(got.received.find("this port speaks HTTPS"), std::string::npos) << got.received;
  EXPECT_TRUE(log->wait_for("plain text on the https port peer=127.0.0.1:")) << log->all();
  EXPECT_TRUE(wait_open(0));
}

TEST_F(HttpsListenerTest, ATlsClientOnThePlainPortFailsFast) {
  ASSERT_NO_FATAL_FAILURE(listen(false));
  std::chrono::milliseconds took{0};
  auto failure = tls_handshake(port(), client_context(a("ca.pem")), 5s, &took);
  EXPECT_NE(failure, "") << "a TLS handshake with a plain HTTP port succeeded";
  EXPECT_EQ(failure.find("no answer"), std::string::npos) << failure;
  EXPECT_LT(took, 2s) << failure;
  // And plain HTTP there is what it was.
  auto got = send_and_read_until_closed(
      port(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 5s);
  EXPECT_EQ(got.received.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << got.received;
  EXPECT_TRUE(wait_open(0));
}

TEST_F(HttpsListenerTest, AClientTrustingAnotherCaRefusesTheServer) {
  ASSERT_NO_FATAL_FAILURE(listen());
  std::chrono::milliseconds took{0};
  auto failure = tls_handshake(port(), client_context(b("ca.pem")), 5s, &took);
  EXPECT_NE(failure.find("certificate verify failed"), std::string::npos) << failure;
  wss_client eve{port(), client_context(b("ca.pem"))};
  EXPECT_FALSE(eve.connected());
  // The server says so, with the peer and OpenSSL's words for the client's alert.
  EXPECT_TRUE(log->wait_for("tls handshake failed peer=127.0.0.1:")) << log->all();
  EXPECT_TRUE(log->seen("unknown ca")) << log->all();
  EXPECT_TRUE(wait_open(0));
}

// chat-server interposes SSL_accept for its cluster links (cluster_tls.cpp), and Asio's engine
// calls it too: with cluster TLS on, a broken handshake on the HTTPS port is still the HTTP
// port's, logged in its words, never as a cluster link's.
TEST_F(HttpsListenerTest, AFailedHandshakeIsNotLoggedAsAClusterLinkWhenClusterTlsIsOn) {
  chat::log_cluster_tls_refusals(); // as chat-server does with --cluster-tls-*
  ASSERT_NO_FATAL_FAILURE(listen());
  // A handshake record holding no handshake OpenSSL knows: it fails with no alert received and
  // no certificate checked, the kind of failure cluster_tls.cpp logs for its links.
  const std::string garbage{"\x16\x03\x01\x00\x04\xff\x00\x00\x00", 9};
  auto got = send_and_read_until_closed(port(), garbage, 5s);
  EXPECT_TRUE(got.closed) << "still open after 5 s";
  EXPECT_TRUE(log->wait_for("tls handshake failed peer=127.0.0.1:")) << log->all();
  EXPECT_FALSE(log->seen("cluster:")) << log->all();
  EXPECT_TRUE(wait_open(0));
}

TEST_F(HttpsListenerTest, ASilentPeerIsCutAfterTheHandshakeTimeoutAndItsSlotFreed) {
  ASSERT_NO_FATAL_FAILURE(listen());
  auto got = send_and_read_until_closed(port(), "", 5s);
  EXPECT_TRUE(got.closed) << "still open after 5 s";
  EXPECT_GE(got.took, handshake_timeout - 50ms);
  EXPECT_LT(got.took, 3s);
  EXPECT_TRUE(log->wait_for("tls handshake timed out peer=127.0.0.1:")) << log->all();
  EXPECT_TRUE(wait_open(0)) << slots->taken() << " slots taken";
}

TEST_F(HttpsListenerTest, HalfAClientHelloIsCutAfterTheHandshakeTimeoutAndItsSlotFreed) {
  ASSERT_NO_FATAL_FAILURE(listen());
  // A handshake record announcing 512 bytes of ClientHello, then only its first few.
  const std::string half{"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11};
  auto got = send_and_read_until_closed(port(), half, 5s);
  EXPECT_TRUE(got.closed) << "still open after 5 s";
  EXPECT_GE(got.took, handshake_timeout - 50ms);
  EXPECT_LT(got.took, 3s);
  EXPECT_TRUE(log->wait_for("tls handshake timed out peer=127.0.0.1:")) << log->all();
  EXPECT_TRUE(wait_open(0)) << slots->taken() << " slots taken";
}

TEST_F(HttpsListenerTest, AfterAReloadOpenConnectionsGoOnAndNewOnesGetTheNewCertificate) {
  ASSERT_NO_FATAL_FAILURE(listen());
  wss_client ann{port(), client_context(a("ca.pem"))};
  ASSERT_TRUE(ann.connected()) << ann.failure();
  ASSERT_TRUE(ann.log_in("ann")) << ann.failure();
  ASSERT_TRUE(ann.join(1, "ops")) << ann.failure();

  install("b"); // a certificate from another CA, at the same paths
  ASSERT_EQ(credentials->reload(), "");

  // The open connection keeps its session with the old certificate.
  ASSERT_TRUE(ann.send({{"type", "msg"}, {"ref", 2}, {"channel", "ops"}, {"text", "still here"}}));
  auto echo = ann.next("msg");
  ASSERT_TRUE(echo) << ann.failure();
  EXPECT_EQ(echo->at("text").as_string(), "still here");

  // A new one is given the new certificate: verified against B's CA, refused against A's.
  wss_client bob{port(), client_context(b("ca.pem"))};
  ASSERT_TRUE(bob.connected()) << bob.failure();
  EXPECT_TRUE(same_certificate(bob.server_certificate(), b("server.pem")));
  ASSERT_TRUE(bob.log_in("bob")) << bob.failure();
  ASSERT_TRUE(bob.join(1, "ops")) << bob.failure();
  ASSERT_TRUE(bob.send({{"type", "msg"}, {"ref", 2}, {"channel", "ops"}, {"text", "new cert"}}));
  auto at_ann = ann.next("msg");
  ASSERT_TRUE(at_ann) << ann.failure();
  EXPECT_EQ(at_ann->at("text").as_string(), "new cert");
  std::chrono::milliseconds took{0};
  auto old_trust = tls_handshake(port(), client_context(a("ca.pem")), 5s, &took);
  EXPECT_NE(old_trust.find("certificate verify failed"), std::string::npos) << old_trust;
}

} // namespace
