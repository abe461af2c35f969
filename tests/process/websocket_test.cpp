// websocket_test.cpp -- the web gateway over real sockets (issue "Web"): chat-server with
// --http-port, WebSocket clients written from docs/PROTOCOL.md "JSON (WebSocket)" next to raw
// TCP clients, and plain HTTP requests against the listener's limits.
#include "tests/process/cluster_support.hpp"
#include "tests/process/history_client.hpp"
#include "tests/process/v2_raw.hpp"
#include "tests/process/ws_client.hpp"

#include "tests/support/scratch_dir.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <thread>

#include <string>

namespace chat::reliability {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

server_process web_server(std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"--http-port=0", "--data-dir=:memory:", "--max-broadcast-rate=0"};
  args.insert(args.end(), extra.begin(), extra.end());
  return server_process{args};
}

TEST(WebSocketTest, AWebSocketMemberAndATcpMemberChatInOneChannel) {
  auto server = web_server();
  ASSERT_TRUE(server.started() && server.http_port() != 0) << server.describe();
  ws_client ann{server.http_port()};
  ASSERT_TRUE(ann.connected()) << ann.failure();
  ASSERT_TRUE(ann.log_in("ann")) << ann.failure();
  auto joined = ann.join(1, "rust");
  ASSERT_TRUE(joined) << ann.failure();
  EXPECT_EQ(joined->at("recovery").as_string(), "replayed");

  raw_client bob{server.port()};
  ASSERT_TRUE(v2_login(bob, "bob"));
  ASSERT_TRUE(join(bob, 1, "rust", none()));
  auto seen = ann.next("presence"); // her own join first
  ASSERT_TRUE(seen) << ann.failure();
  if (seen->at("user").as_string() == "ann") seen = ann.next("presence");
  ASSERT_TRUE(seen) << ann.failure();
  EXPECT_EQ(seen->at("user").as_string(), "bob");
  EXPECT_EQ(seen->at("event").as_string(), "joined");

  // Browser to TCP, and TCP to browser, numbered by the one channel.
  ASSERT_TRUE(ann.send({{"type", "msg"}, {"ref", 2}, {"channel", "rust"}, {"text", "hi bob"}}));
  auto at_bob = next_msg(bob);
  ASSERT_TRUE(at_bob) << bob.failure();
  EXPECT_EQ(at_bob->sender, "ann");
  EXPECT_EQ(at_bob->text, "hi bob");
  EXPECT_EQ(at_bob->offset, 1u);
  ASSERT_TRUE(send_v2(bob, v2::msg_request{2, "rust", "hi ann \xe2\x9c\x93"}));
  auto at_ann = ann.next("msg");
  ASSERT_TRUE(at_ann) << ann.failure();
  EXPECT_EQ(at_ann->at("sender").as_string(), "ann"); // her own first, in channel order
  at_ann = ann.next("msg");
  ASSERT_TRUE(at_ann) << ann.failure();
  EXPECT_EQ(at_ann->at("sender").as_string(), "bob");
  EXPECT_EQ(at_ann->at("text").as_string(), "hi ann \xe2\x9c\x93");
  EXPECT_EQ(at_ann->at("offset").as_string(), "2");

  // A second browser joining late gets both from history.
  ws_client cy{server.http_port()};
  ASSERT_TRUE(cy.log_in("cy")) << cy.failure();
  auto late = cy.join(1, "rust");
  ASSERT_TRUE(late) << cy.failure();
  EXPECT_EQ(late->at("replayed").as_int64(), 2);
  auto first = cy.next("msg");
  ASSERT_TRUE(first) << cy.failure();
  EXPECT_EQ(first->at("text").as_string(), "hi bob");
}

TEST(WebSocketTest, MalformedJsonGetsErrorWithTheReasonThenAClose) {
  auto server = web_server();
  ASSERT_TRUE(server.started()) << server.describe();
  ws_client ann{server.http_port()};
  ASSERT_TRUE(ann.log_in("ann")) << ann.failure();
  ASSERT_TRUE(ann.send({{"type", "join"}, {"channel", "rust"}}));
  auto error = ann.next("error");
  ASSERT_TRUE(error) << ann.failure();
  EXPECT_EQ(error->at("text").as_string(), "join: \"ref\" is missing");
  EXPECT_TRUE(ann.closed_by_server()) << ann.failure();
  EXPECT_TRUE(server.wait_for_log("protocol violation", io_timeout));
}

TEST(WebSocketTest, AnUnknownTypeGetsErrorThenAClose) {
  auto server = web_server();
  ASSERT_TRUE(server.started()) << server.describe();
  ws_client ann{server.http_port()};
  ASSERT_TRUE(ann.log_in("ann")) << ann.failure();
  ASSERT_TRUE(ann.send({{"type", "jion"}, {"ref", 1}, {"channel", "rust"}}));
  auto error = ann.next("error");
  ASSERT_TRUE(error) << ann.failure();
  EXPECT_EQ(error->at("text").as_string(), "unknown type \"jion\"");
  EXPECT_TRUE(ann.closed_by_server()) << ann.failure();
}

TEST(WebSocketTest, AMessageInSeveralFramesIsOneMessage) {
  auto server = web_server();
  ASSERT_TRUE(server.started()) << server.describe();
  ws_client ann{server.http_port()};
  ASSERT_TRUE(ann.log_in("ann")) << ann.failure();
  ASSERT_TRUE(ann.join(1, "rust"));
  ASSERT_TRUE(ann.send_fragmented(
      R"({"type":"msg","ref":2,"channel":"rust","text":"in three pieces"})", 3));
  auto m = ann.next("msg");
  ASSERT_TRUE(m) << ann.failure();
  EXPECT_EQ(m->at("text").as_string(), "in three pieces");
}

TEST(WebSocketTest, ABinaryMessageGetsErrorThenAClose) {
  auto server = web_server();
  ASSERT_TRUE(server.started()) << server.describe();
  ws_client ann{server.http_port()};
  ASSERT_TRUE(ann.send_binary(std::string("\x05\x00\x00\x00\x01", 5)));
  auto error = ann.next("error");
  ASSERT_TRUE(error) << ann.failure();
  EXPECT_EQ(error->at("text").as_string(),
            "a binary WebSocket message: this gateway speaks JSON text");
  EXPECT_TRUE(ann.closed_by_server()) << ann.failure();
}

TEST(WebSocketTest, TheFrameBoundHoldsForJsonToo) {
  auto server = web_server({"--max-frame=1024"});
  ASSERT_TRUE(server.started()) << server.describe();
  ws_client ann{server.http_port()};
  ASSERT_TRUE(ann.log_in("ann")) << ann.failure();
  ASSERT_TRUE(ann.join(1, "rust"));
  ASSERT_TRUE(ann.send(
      {{"type", "msg"}, {"ref", 2}, {"channel", "rust"}, {"text", std::string(1100, 'x')}}));
  auto error = ann.next("error");
  ASSERT_TRUE(error) << ann.failure();
  EXPECT_EQ(error->at("text").as_string(), "msg: \"text\" must be at most 1023 bytes");
  EXPECT_TRUE(ann.closed_by_server()) << ann.failure();
  // A WebSocket message past what any frame's JSON can take is refused by the WebSocket layer.
  ws_client bob{server.http_port()};
  ASSERT_TRUE(bob.log_in("bob")) << bob.failure();
  bob.send_text(std::string(16 * 1024, ' ')); // may fail half-way: the server ends it
  EXPECT_FALSE(bob.receive());
  EXPECT_TRUE(server.wait_for_log("message exceeded the locally configured limit", io_timeout))
      << server.stderr_text();
}

// A browser that stops reading while a TCP member floods the channel is cut like a TCP one,
// and the flood goes on for everyone else.
TEST(WebSocketTest, AWebSocketMemberThatStopsReadingIsCutAsASlowConsumer) {
  auto server = web_server({"--max-outbound-bytes=262144"});
  ASSERT_TRUE(server.started()) << server.describe();
  ws_client sleeper{server.http_port()};
  ASSERT_TRUE(sleeper.log_in("sleeper")) << sleeper.failure();
  ASSERT_TRUE(sleeper.join(1, "flood"));
  raw_client loud{server.port()};
  ASSERT_TRUE(v2_login(loud, "loud"));
  ASSERT_TRUE(join(loud, 1, "flood", none()));
  std::string text(1000, 'f');
  auto deadline = clock_type::now() + 10s;
  int sent = 0;
  while (clock_type::now() < deadline && !server.wait_for_log("transport=websocket", 0ms)) {
    for (int i = 0; i < 50; ++i, ++sent)
      ASSERT_TRUE(send_v2(loud, v2::msg_request{2, "flood", text}));
    for (int i = 0; i < 50; ++i) // the sender keeps up with its own echoes
      ASSERT_TRUE(next_msg(loud)) << loud.failure();
  }
  EXPECT_TRUE(server.wait_for_log("slow consumer peer=", 0ms)) << "after " << sent << " messages";
  // The sleeper wakes up: whole messages, then the ERROR, then the close.
  std::optional<boost::json::object> last;
  for (;;) {
    auto m = sleeper.receive(2s);
    if (!m) break;
    last = m;
  }
  EXPECT_EQ(sleeper.failure(), "closed by the server");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->at("type").as_string(), "error");
  EXPECT_EQ(last->at("text").as_string(), "slow consumer");
  // The loud one is still in the chat.
  ASSERT_TRUE(send_v2(loud, v2::msg_request{3, "flood", "still here"}));
  auto echo = next_msg(loud);
  ASSERT_TRUE(echo) << loud.failure();
  EXPECT_EQ(echo->text, "still here");
}

TEST(WebSocketTest, TheHttpSideAnswersWithStatusCodesAndStaysUp) {
  auto server = web_server();
  ASSERT_TRUE(server.started()) << server.describe();
  auto port = server.http_port();
  auto health = http_request(port, "GET", "/healthz");
  EXPECT_EQ(health.status, 200u);
  EXPECT_EQ(health.body, "ok\n");
  EXPECT_EQ(http_request(port, "GET", "/no-such-page").status, 404u);
  EXPECT_EQ(http_request(port, "POST", "/healthz").status, 405u);
  EXPECT_EQ(http_request(port, "GET", "/ws").status, 426u) << "a GET without the upgrade";
  EXPECT_EQ(http_request(port, "\x16\x03\x01\x02", "\x01garbage").status, 400u) << "not HTTP";
  EXPECT_EQ(http_request(port, "GET", "/", "X-Big: " + std::string(16 * 1024, 'x') + "\r\n").status,
            431u);
  EXPECT_EQ(http_request(port, "GET", "/healthz", "Content-Length: 5000\r\n").status, 413u);
  EXPECT_EQ(http_request(port, "GET", "/healthz", "Bad Header Line\r\n").status, 400u);
  ws_client elsewhere{port, "/chat"};
  EXPECT_FALSE(elsewhere.connected()) << "no WebSocket but at /ws";
  // Still serving after all that.
  EXPECT_EQ(http_request(port, "GET", "/healthz").status, 200u);
  ws_client ann{port};
  EXPECT_TRUE(ann.log_in("ann")) << ann.failure();
}

// The value of one sample ("name{labels} value") in a /metrics page; -1 if it is not there.
long long metric(const std::string& page, const std::string& sample) {
  auto at = page.find("\n" + sample + " ");
  if (at == std::string::npos) return -1;
  return std::stoll(page.substr(at + sample.size() + 2));
}

TEST(WebSocketTest, MetricsCountWhatHappenedOnBothTransports) {
  auto server = web_server();
  ASSERT_TRUE(server.started()) << server.describe();
  ws_client ann{server.http_port()};
  ASSERT_TRUE(ann.log_in("ann")) << ann.failure();
  ASSERT_TRUE(ann.join(1, "rust"));
  raw_client bob{server.port()};
  ASSERT_TRUE(v2_login(bob, "bob"));
  ASSERT_TRUE(join(bob, 1, "rust", none()));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(send_v2(bob, v2::msg_request{2, "rust", "m" + std::to_string(i)}));
    ASSERT_TRUE(next_msg(bob)) << bob.failure();
    ASSERT_TRUE(ann.next("msg")) << ann.failure();
  }
  auto page = http_request(server.http_port(), "GET", "/metrics");
  ASSERT_EQ(page.status, 200u);
  const auto& text = page.body;
  EXPECT_EQ(metric(text, "chat_connections_open{transport=\"tcp\"}"), 1) << text;
  EXPECT_EQ(metric(text, "chat_connections_open{transport=\"websocket\"}"), 1) << text;
  EXPECT_EQ(metric(text, "chat_connections_accepted_total{transport=\"websocket\"}"), 1);
  EXPECT_EQ(metric(text, "chat_logins_total"), 2);
  EXPECT_EQ(metric(text, "chat_frames_in_total{type=\"MSG\"}"), 3);
  EXPECT_EQ(metric(text, "chat_frames_out_total{type=\"MSG\"}"), 6) << "3 messages x 2 members";
  EXPECT_EQ(metric(text, "chat_deliveries_total"), 6);
  EXPECT_EQ(metric(text, "chat_channels"), 1);
  EXPECT_GT(metric(text, "chat_bytes_total{direction=\"out\"}"), 0);
  EXPECT_GT(metric(text, "process_resident_memory_bytes"), 1'000'000);
  EXPECT_NE(text.find("# TYPE chat_logins_total counter"), std::string::npos);

  // Prometheus's own parser (Debian's python3-prometheus-client) reads the page.
  chat::test::scratch_dir dir;
  auto page_file = dir.path + "/metrics.txt";
  std::ofstream{page_file} << text;
  auto command =
      "/usr/bin/python3 -c 'import sys; from prometheus_client.parser import "
      "text_string_to_metric_families as parse; f = list(parse(open(sys.argv[1]).read())); "
      "print(\" \".join(sorted(x.name for x in f)))' " +
      page_file + " > " + dir.path + "/families.txt 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << "the parser refused the page: " << text;
  std::ifstream families{dir.path + "/families.txt"};
  std::string names{std::istreambuf_iterator<char>{families}, {}};
  // Counter families lose their _total in the parser's names.
  for (auto name : {"chat_connections_open", "chat_deliveries", "chat_frames_in", "chat_logins",
                    "chat_history_commit_seconds", "process_resident_memory_bytes"})
    EXPECT_NE(names.find(name), std::string::npos) << name << " not in: " << names;

  // And the counters move as the chat goes on.
  ASSERT_TRUE(send_v2(bob, v2::msg_request{3, "rust", "one more"}));
  ASSERT_TRUE(ann.next("msg")) << ann.failure();
  auto later = http_request(server.http_port(), "GET", "/metrics").body;
  EXPECT_EQ(metric(later, "chat_deliveries_total"), 8);
  EXPECT_EQ(metric(later, "chat_frames_in_total{type=\"MSG\"}"), 4);
}

// One --max-connections for every transport: a WebSocket and a TCP client fill two slots, so
// the next of either kind is refused, and a slot a WebSocket gives back goes to a TCP client.
TEST(WebSocketTest, MaxConnectionsCountsWebSocketAndTcpClientsTogether) {
  auto server = web_server({"--max-connections=2"});
  ASSERT_TRUE(server.started()) << server.describe();
  std::optional<ws_client> ann{std::in_place, server.http_port()};
  ASSERT_TRUE(ann->log_in("ann")) << ann->failure();
  raw_client bob{server.port()};
  ASSERT_TRUE(v2_login(bob, "bob"));

  EXPECT_EQ(http_request(server.http_port(), "GET", "/healthz").status, 503u);
  ws_client carol{server.http_port()};
  EXPECT_FALSE(carol.connected()) << "a third connection, over WebSocket";
  raw_client dave{server.port()};
  EXPECT_TRUE(next_frame_is(dave, {type::error, "server full"})) << "a third, over TCP";

  ann.reset(); // the server learns of the close asynchronously: retry for up to 2 s
  auto deadline = clock_type::now() + 2s;
  bool admitted = false;
  while (!admitted && clock_type::now() < deadline) {
    raw_client newcomer{server.port()};
    admitted = newcomer.send_frame(type::login, "erin") &&
               newcomer.read_frame() == frame{type::login, "Login OK"};
    if (!admitted) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(admitted) << "the WebSocket's slot never went to a TCP client";
}

TEST(WebSocketTest, ASilentClientIsPingedAndOneThatNeverAnswersIsClosed) {
  auto server = web_server({"--idle-interval=200ms", "--idle-timeout=800ms"});
  ASSERT_TRUE(server.started()) << server.describe();
  ws_client reader{server.http_port()};
  ws_client deaf{server.http_port()};
  ASSERT_TRUE(reader.log_in("reader") && deaf.log_in("deaf"));
  // The reader keeps reading, so its Beast answers each WebSocket ping: for 1.5 s (almost twice
  // the timeout) nothing comes, no farewell either. (A timed-out read ends this client.)
  EXPECT_FALSE(reader.receive(1500ms));
  EXPECT_EQ(reader.failure(), "timeout");
  // The deaf one read nothing meanwhile, so it answered no ping: its farewell is waiting.
  auto farewell = deaf.next("error", 100ms);
  ASSERT_TRUE(farewell) << deaf.failure();
  EXPECT_EQ(farewell->at("text").as_string(), "idle timeout");
  EXPECT_TRUE(deaf.closed_by_server()) << deaf.failure();
  auto log = server.stderr_text();
  std::size_t timeouts = 0;
  for (auto at = log.find("idle timeout peer="); at != std::string::npos;
       at = log.find("idle timeout peer=", at + 1))
    ++timeouts;
  EXPECT_EQ(timeouts, 1u) << "only the deaf one: " << log;
}

// In a cluster, /healthz says ready only while the node reaches another one: a node whose seed
// is not up yet answers 503, then 200 once they have joined, and 503 again when it is alone. A
// node started without seeds is a cluster of one, ready at once.
TEST(WebSocketTest, HealthzInAClusterIsReadyOnlyWhileJoined) {
  chat::test::node a; // not started yet: nothing listens on its cluster port
  chat::test::node b;
  b.start(a.cluster_port, {"--http-port=0"});
  ASSERT_TRUE(b.server->started()) << b.server->describe();
  auto healthz = [&b] { return http_request(b.server->http_port(), "GET", "/healthz"); };
  auto alone = healthz();
  EXPECT_EQ(alone.status, 503u);
  EXPECT_EQ(alone.body, "not ready: no other cluster node reachable yet\n");

  a.start(std::nullopt, {"--http-port=0"});
  ASSERT_TRUE(a.server->started()) << a.server->describe();
  EXPECT_EQ(http_request(a.server->http_port(), "GET", "/healthz").status, 200u) << "no seeds";
  ASSERT_TRUE(b.wait_for_count("nodes=2", 1, chat::test::join_timeout)) << b.server->stderr_text();
  EXPECT_EQ(healthz().status, 200u);

  a.server->child().send_signal(SIGKILL);
  ASSERT_TRUE(b.wait_for_count("node lost", 1, chat::test::join_timeout))
      << b.server->stderr_text();
  EXPECT_EQ(healthz().status, 503u);
}

TEST(WebSocketTest, ShutdownSaysGoodbyeToWebSocketClientsAndExitsCleanly) {
  auto server = web_server();
  ASSERT_TRUE(server.started()) << server.describe();
  ws_client ann{server.http_port()};
  ASSERT_TRUE(ann.log_in("ann")) << ann.failure();
  auto stopped = server.stop();
  EXPECT_TRUE(stopped.status.exited_with(0)) << stopped.status;
  auto bye = ann.next("error");
  ASSERT_TRUE(bye) << ann.failure();
  EXPECT_EQ(bye->at("text").as_string(), "server shutting down");
  EXPECT_LT(stopped.elapsed, 3000ms);
}

} // namespace
} // namespace chat::reliability
