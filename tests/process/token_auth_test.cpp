// token_auth_test.cpp -- token authentication over real sockets (issue 13, part 2): chat-server
// started with --auth token and an HS256 secret file; raw TCP clients of version 1 and 2 and a
// WebSocket client log in with tokens made by auth/token_issuer.hpp, and every refusal has its
// own words (docs/PROTOCOL.md "Token authentication").
#include "auth/base64url.hpp"
#include "auth/token_issuer.hpp"
#include "tests/process/v2_raw.hpp"
#include "tests/process/ws_client.hpp"
#include "tests/support/binaries.hpp"
#include "tests/support/scratch_dir.hpp"
#include "tests/support/test_keys.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace chat::reliability {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;
namespace json = boost::json;

const std::string secret = "process-test-secret-0123456789abcdef";

auth::signing_key signer(const std::string& s = secret) {
  return std::get<auth::signing_key>(auth::signing_key::from_secret(s));
}

std::string token_for(const std::string& name, std::chrono::seconds ttl = 1h,
                      std::optional<std::vector<std::string>> channels = {}) {
  auth::token_request r;
  r.subject = name;
  r.ttl = ttl;
  r.channels = std::move(channels);
  return auth::issue_token(signer(), r, system_clock::now());
}

// A chat-server with --auth token and the secret in a file of its scratch directory.
struct token_server {
  explicit token_server(std::vector<std::string> extra = {}) : server{args(extra)} {}

  std::vector<std::string> args(const std::vector<std::string>& extra) {
    std::ofstream{dir.path + "/secret"} << secret << '\n';
    std::vector<std::string> a{"--auth=token", "--auth-secret-file=" + dir.path + "/secret",
                               "--data-dir=:memory:", "--http-port=0"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  test::scratch_dir dir; // before the server: its file must exist when the server starts
  server_process server;
};

// The LOGIN answer to `payload`.
std::optional<std::string> login_answer(raw_client& c, const std::string& payload) {
  if (!c.send_frame(type::login, payload)) return std::nullopt;
  auto reply = c.read_frame();
  if (!reply || reply->type != type::login) return std::nullopt;
  return reply->payload;
}

TEST(TokenAuthTest, TokenLogsInAVersion1Client) {
  token_server s;
  ASSERT_TRUE(s.server.started()) << s.server.describe();
  raw_client ann{s.server.port()};
  ASSERT_TRUE(ann.connected());
  EXPECT_EQ(login_answer(ann, token_for("ann")), "Login OK"); // the token alone names her
  ASSERT_TRUE(ann.send_frame(type::broadcast_msg, "hi"));
  EXPECT_TRUE(next_frame_is(ann, {type::broadcast_msg, "ann: hi"}));
}

TEST(TokenAuthTest, NameAndTokenLogInAVersion2Client) {
  token_server s;
  ASSERT_TRUE(s.server.started()) << s.server.describe();
  raw_client ann{s.server.port()};
  ASSERT_TRUE(send_v2(ann, v2::hello_request{v2::version}));
  auto hello = ann.read_frame();
  ASSERT_TRUE(hello && hello->type == static_cast<uint8_t>(v2::type::hello));
  auto reply = std::get<v2::hello_reply>(v2::decode_hello_reply(hello->payload));
  EXPECT_EQ(reply.features, "channels,direct,presence,history,token");
  EXPECT_EQ(login_answer(ann, "ann\n" + token_for("ann")), "Login OK");
}

TEST(TokenAuthTest, WebSocketLoginCarriesTheToken) {
  token_server s;
  ASSERT_TRUE(s.server.started()) << s.server.describe();
  ws_client ann{s.server.http_port()};
  ASSERT_TRUE(ann.connected()) << ann.failure();
  ASSERT_TRUE(ann.send({{"type", "login"}, {"name", "ann"}, {"token", token_for("ann")}}));
  auto reply = ann.next("login");
  ASSERT_TRUE(reply) << ann.failure();
  EXPECT_EQ(reply->at("text").as_string(), "Login OK");

  ws_client bob{s.server.http_port()};
  ASSERT_TRUE(bob.send({{"type", "login"}, {"token", token_for("bob")}}));
  reply = bob.next("login");
  ASSERT_TRUE(reply) << bob.failure();
  EXPECT_EQ(reply->at("text").as_string(), "Login OK");

  ws_client cy{s.server.http_port()};
  ASSERT_TRUE(cy.send({{"type", "login"}, {"name", "cy"}}));
  reply = cy.next("login");
  ASSERT_TRUE(reply) << cy.failure();
  EXPECT_EQ(reply->at("text").as_string(), "Login failed: token required");
}

// One connection tries each bad token in turn (a client may LOGIN again after a refusal), then
// a good one.
TEST(TokenAuthTest, EachFailureHasItsOwnReason) {
  token_server s;
  ASSERT_TRUE(s.server.started()) << s.server.describe();
  auto now = system_clock::now();
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  auto claims = R"({"sub":"ann","exp":)" + std::to_string(seconds + 3600) + "}";
  auth::token_request later;
  later.subject = "ann";
  later.not_before = 1h;
  auto none =
      auth::base64url_encode(R"({"alg":"none"})") + '.' + auth::base64url_encode(claims) + '.';
  const std::pair<std::string, std::string> cases[] = {
      {"ann", "token required"},
      {"ann\n", "token required"},
      {"ann\n" + token_for("ann", -1s), "token expired"},
      {"ann\nx.y.z", "token malformed: header is not base64url"},
      {"ann\nabc", "token malformed: not three dot-separated parts"},
      {"ann\n" + auth::sign_token(signer(std::string(40, 'f')), R"({"alg":"HS256"})", claims),
       "token signature invalid"},
      {"ann\n" + auth::sign_token(signer(), R"({"alg":"HS512"})", claims),
       "token algorithm not allowed"},
      {"ann\n" + none, "token algorithm not allowed"},
      {"ann\n" + auth::issue_token(signer(), later, now), "token not yet valid"},
      {"bob\n" + token_for("ann"), "token is for another user"},
      {"ann\n" + std::string(5000, 'a'), "token too large (at most 4096 bytes)"},
      {"ann\n" + auth::sign_token(signer(), R"({"alg":"HS256"})", R"({"sub":"ann"})"),
       "token malformed: no exp claim"},
  };
  raw_client c{s.server.port()};
  ASSERT_TRUE(c.connected());
  for (auto& [payload, reason] : cases)
    EXPECT_EQ(login_answer(c, payload), "Login failed: " + reason) << payload;
  EXPECT_EQ(login_answer(c, "ann\n" + token_for("ann")), "Login OK");
  EXPECT_EQ(login_answer(c, token_for("ann")), "Login failed: already logged in as ann");
}

TEST(TokenAuthTest, AChannelTheTokenDoesNotListIsRefused) {
  token_server s;
  ASSERT_TRUE(s.server.started()) << s.server.describe();
  auto token = token_for("ann", 1h, std::vector<std::string>{"rust"});
  raw_client ann{s.server.port()};
  ASSERT_TRUE(send_v2(ann, v2::hello_request{v2::version}));
  ASSERT_TRUE(ann.read_frame());
  ASSERT_EQ(login_answer(ann, token), "Login OK");
  auto join_reply = [&ann](uint32_t ref, const std::string& channel) -> std::string {
    if (!send_v2(ann, v2::join_request{ref, channel})) return "not sent";
    auto f = next_of(ann, v2::type::reply);
    if (!f) return "no REPLY";
    auto r = std::get<v2::reply>(v2::decode_reply(f->payload));
    return r.result == v2::status::ok ? "ok" : r.text;
  };
  EXPECT_EQ(join_reply(1, "rust"), "ok");
  EXPECT_EQ(join_reply(2, "go"), "channel not allowed by token");
  EXPECT_EQ(join_reply(3, "lobby"), "channel not allowed by token");

  // A version-1 client lives in lobby: a token without it cannot log one in.
  raw_client old{s.server.port()};
  EXPECT_EQ(login_answer(old, token), "Login failed: token does not allow lobby");
}

// The session outlives its token (it was checked at LOGIN), but the same token presented again
// after its exp is refused.
TEST(TokenAuthTest, ReplayOfATokenAfterItsExpiryIsRefused) {
  token_server s;
  ASSERT_TRUE(s.server.started()) << s.server.describe();
  auth::token_request r;
  r.subject = "ann";
  r.ttl = 2s; // exp: at least 1 s away, as it counts whole seconds of `issued`
  auto issued = system_clock::now();
  auto token = auth::issue_token(signer(), r, issued);
  raw_client first{s.server.port()};
  ASSERT_EQ(login_answer(first, token), "Login OK");
  // Wait for the clock, not for the server: past exp, which the token computed from `issued`.
  auto exp = std::chrono::time_point_cast<std::chrono::seconds>(issued) + r.ttl;
  while (system_clock::now() < exp)
    std::this_thread::sleep_for(20ms);

  raw_client again{s.server.port()};
  EXPECT_EQ(login_answer(again, token), "Login failed: token expired");
  // The first session goes on.
  ASSERT_TRUE(first.send_frame(type::send_msg, "still here"));
  EXPECT_TRUE(next_frame_is(first, {type::send_msg, "Echo: still here"}));
}

TEST(TokenAuthTest, WithoutAuthANameLogsInAsBefore) {
  server_process server{{"--data-dir=:memory:"}};
  ASSERT_TRUE(server.started()) << server.describe();
  raw_client ann{server.port()};
  EXPECT_EQ(login_answer(ann, "ann"), "Login OK");
  raw_client bob{server.port()};
  EXPECT_EQ(login_answer(bob, "bob\n" + token_for("bob")), "Login OK"); // the token is not read
  ASSERT_TRUE(bob.send_frame(type::broadcast_msg, "hi"));
  EXPECT_TRUE(next_frame_is(bob, {type::broadcast_msg, "bob: hi"}));
}

TEST(TokenAuthTest, BadAuthOptionsStopTheStart) {
  test::scratch_dir dir;
  std::ofstream{dir.path + "/short"} << "too short";
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--auth=token"}, "--auth token needs --auth-secret-file or --auth-public-key-file"},
      {{"--auth=password"}, "--auth must be none or token"},
      {{"--auth=token", "--auth-secret-file=" + dir.path + "/short"},
       "--auth-secret-file: an HS256 secret must have at least 32 bytes"},
      {{"--auth=token", "--auth-secret-file=" + dir.path + "/none"},
       "--auth-secret-file: cannot read " + dir.path + "/none"},
  };
  for (auto& [args, message] : cases) {
    auto all = args;
    all.push_back("--port=0");
    test::child_process server{test::chat_server_bin(), all};
    auto status = server.wait(10s);
    EXPECT_TRUE(status.exited_with(2)) << status << "\n" << server.describe();
    EXPECT_NE(server.stderr_text().find(message), std::string::npos) << server.stderr_text();
  }
}

// What `chat-server --issue-token ...` printed on its one stdout line, and how it ended.
struct issued {
  test::exit_status status;
  std::string token;
  std::string errors;
};

issued run_issue(std::vector<std::string> args) {
  test::child_process issuer{test::chat_server_bin(), std::move(args)};
  auto line = issuer.read_line(10s);
  auto status = issuer.wait(10s);
  return {status, line.value_or(""), issuer.stderr_text()};
}

TEST(TokenAuthTest, IssuedTokenLogsInWithItsChannels) {
  token_server s;
  ASSERT_TRUE(s.server.started()) << s.server.describe();
  auto got = run_issue({"--issue-token", "ann", "--auth-secret-file", s.dir.path + "/secret",
                        "--ttl", "10min", "--channels", "rust,lobby"});
  ASSERT_TRUE(got.status.exited_with(0)) << got.status << got.errors;
  raw_client ann{s.server.port()};
  ASSERT_TRUE(send_v2(ann, v2::hello_request{v2::version}));
  ASSERT_TRUE(ann.read_frame());
  EXPECT_EQ(login_answer(ann, got.token), "Login OK");
  ASSERT_TRUE(send_v2(ann, v2::join_request{1, "go"}));
  auto f = next_of(ann, v2::type::reply);
  ASSERT_TRUE(f);
  EXPECT_EQ(std::get<v2::reply>(v2::decode_reply(f->payload)).text, "channel not allowed by token");
}

// An Ed25519 pair: the server holds the public key, --issue-token the private one.
TEST(TokenAuthTest, Ed25519ServerTakesItsIssuedTokensAndNoHs256Ones) {
  test::scratch_dir dir;
  auto pair = test::make_ed25519_pair();
  std::ofstream{dir.path + "/public.pem"} << pair.public_pem;
  std::ofstream{dir.path + "/private.pem"} << pair.private_pem;
  server_process server{{"--auth=token", "--auth-public-key-file=" + dir.path + "/public.pem",
                         "--data-dir=:memory:"}};
  ASSERT_TRUE(server.started()) << server.describe();
  auto got =
      run_issue({"--issue-token", "bob", "--auth-private-key-file", dir.path + "/private.pem"});
  ASSERT_TRUE(got.status.exited_with(0)) << got.status << got.errors;
  raw_client bob{server.port()};
  EXPECT_EQ(login_answer(bob, "bob\n" + got.token), "Login OK");
  raw_client eve{server.port()};
  EXPECT_EQ(login_answer(eve, "bob\n" + token_for("bob")),
            "Login failed: token algorithm not allowed");
}

TEST(TokenAuthTest, BadIssueOptionsSayWhy) {
  test::scratch_dir dir;
  std::ofstream{dir.path + "/secret"} << secret;
  auto file = dir.path + "/secret";
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--issue-token", "ann"},
       "--issue-token needs one of --auth-secret-file and --auth-private-key-file"},
      {{"--issue-token", " ann", "--auth-secret-file", file},
       "--issue-token: name has leading or trailing white space"},
      {{"--issue-token", "ann", "--auth-secret-file", file, "--ttl", "0s"},
       "--ttl must be at least 1s"},
      {{"--issue-token", "ann", "--auth-secret-file", file, "--channels", "rust,"},
       "--channels: '': "},
      {{"--channels", "rust"}, "--auth-private-key-file and --channels are for --issue-token"},
  };
  for (auto& [args, message] : cases) {
    auto got = run_issue(args);
    EXPECT_TRUE(got.status.exited_with(2)) << got.status;
    EXPECT_NE(got.errors.find(message), std::string::npos) << got.errors;
  }
  auto missing = run_issue({"--issue-token", "ann", "--auth-secret-file", dir.path + "/none"});
  EXPECT_TRUE(missing.status.exited_with(1)) << missing.status;
  EXPECT_NE(missing.errors.find("--auth-secret-file: cannot read"), std::string::npos)
      << missing.errors;
}

// chat-client --token: the name comes from the token; a refused token is exit code 3.
TEST(TokenAuthTest, ChatClientLogsInWithAToken) {
  token_server s;
  ASSERT_TRUE(s.server.started()) << s.server.describe();
  auto port = std::to_string(s.server.port());
  test::child_process ann{CHAT_CLIENT_BIN, {"--port", port, "--token", token_for("ann")}};
  EXPECT_TRUE(ann.wait_for_line_containing("* Login OK", 10s)) << ann.describe();
  ASSERT_TRUE(ann.write("/echo hi\n"));
  EXPECT_TRUE(ann.wait_for_line_containing("Echo: hi", 10s)) << ann.describe();
  ann.close_stdin();
  EXPECT_TRUE(ann.wait(10s).exited_with(0)) << ann.describe();

  std::ofstream{s.dir.path + "/token"} << token_for("bob") << '\n';
  test::child_process bob{CHAT_CLIENT_BIN,
                          {"--port", port, "--name", "bob", "--token-file", s.dir.path + "/token"}};
  EXPECT_TRUE(bob.wait_for_line_containing("* Login OK", 10s)) << bob.describe();
  bob.close_stdin();
  EXPECT_TRUE(bob.wait(10s).exited_with(0)) << bob.describe();

  test::child_process eve{CHAT_CLIENT_BIN,
                          {"--port", port, "--name", "eve", "--token", token_for("bob")}};
  EXPECT_TRUE(eve.wait(10s).exited_with(3)) << eve.describe();
  EXPECT_NE(eve.stderr_text().find("login refused: Login failed: token is for another user"),
            std::string::npos)
      << eve.describe();
}

} // namespace
} // namespace chat::reliability
