// cluster_tls_test.cpp -- cluster links over TLS with CAF's OpenSSL module (docs/CLUSTER.md "TLS
// between nodes"): three chat-server processes with certificates from one cluster CA join and
// share broadcasts, names and channels; a fourth with a self-signed certificate is refused, both
// sides log it, and nobody counts it as a node; plain links on a non-loopback address warn.
// Certificates are made by scripts/dev-cluster-ca.sh in a scratch directory.
#include "messages/protocol_v2.hpp"
#include "tests/process/cluster_support.hpp"
#include "tests/process/v2_raw.hpp"
#include "tests/support/binaries.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/scratch_dir.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <ifaddrs.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace chat::reliability;
using chat::test::address;
using chat::test::ClusterTest;
using chat::test::join_timeout;
namespace v2 = chat::v2;

const std::string ca_script = std::string{CHAT_SOURCE_DIR} + "/scripts/dev-cluster-ca.sh";

std::vector<std::string> tls_args(const std::string& dir, const std::string& name,
                                  const std::string& ca = "ca.pem") {
  return {"--cluster-tls-cert=" + dir + "/" + name + ".pem",
          "--cluster-tls-key=" + dir + "/" + name + ".key", "--cluster-tls-ca=" + dir + "/" + ca};
}

class ClusterTlsTest : public ClusterTest {
protected:
  void SetUp() override {
    auto command = ca_script + " " + certs.path + " a b c --self-signed >/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    node_args = [this](std::size_t i) { return tls_args(certs.path, std::string(1, 'a' + i)); };
  }
  chat::test::scratch_dir certs;
};

TEST_F(ClusterTlsTest, ThreeNodesJoinOverTlsAndShareBroadcastsNamesAndChannels) {
  ASSERT_NO_FATAL_FAILURE(start_three());
  for (auto& n : nodes)
    EXPECT_EQ(n.log_count("(TLS, cluster CA"), 1u) << logs();
  // Broadcasts (version 1) from every node reach every node.
  std::vector<std::unique_ptr<raw_client>> old;
  for (int i = 0; i < 3; ++i) {
    old.push_back(std::make_unique<raw_client>(nodes[i].port()));
    ASSERT_TRUE(log_in(*old.back(), "old" + std::to_string(i)));
  }
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(old[i]->send_frame(type::broadcast_msg, "hi from " + std::to_string(i)));
    for (int k = 0; k < 3; ++k)
      EXPECT_TRUE(
          next_frame_is(*old[k], {type::broadcast_msg,
                                  "old" + std::to_string(i) + ": hi from " + std::to_string(i)}))
          << "node " << k << "\n"
          << logs();
  }
  // One name space: a name held on node 0 is taken on nodes 1 and 2.
  for (int k = 1; k < 3; ++k) {
    raw_client twin{nodes[k].port()};
    ASSERT_TRUE(twin.send_frame(type::login, "old0"));
    EXPECT_TRUE(next_frame_is(twin, {type::login, "Login failed: name taken"})) << "node " << k;
  }
  // A channel across the three nodes (version 2), and a DM across two.
  std::vector<std::unique_ptr<raw_client>> members;
  for (int i = 0; i < 3; ++i) {
    members.push_back(std::make_unique<raw_client>(nodes[i].port()));
    ASSERT_TRUE(v2_login(*members.back(), "user" + std::to_string(i)));
    ASSERT_TRUE(send_v2(*members.back(), v2::join_request{1, "ops"}));
    auto f = next_of(*members.back(), v2::type::reply);
    ASSERT_TRUE(f) << logs();
    EXPECT_EQ(std::get<v2::reply>(v2::decode_reply(f->payload)).result, v2::status::ok);
  }
  // Joins on other nodes are announced through the channel's owner: wait until every member's
  // MSG reaches all three, retrying the first one until the channel has settled.
  auto deadline = clock_type::now() + join_timeout;
  for (uint32_t ref = 10;; ++ref) {
    ASSERT_TRUE(send_v2(*members[2], v2::msg_request{ref, "ops", "ping"}));
    bool everywhere = true;
    for (int k = 0; k < 2 && everywhere; ++k)
      everywhere = next_of(*members[k], v2::type::msg, 500ms).has_value();
    if (everywhere) break;
    ASSERT_LT(clock_type::now(), deadline) << "the channel never spanned three nodes\n" << logs();
  }
  ASSERT_TRUE(send_v2(*members[0], v2::msg_request{50, "ops", "over TLS"}));
  for (int k = 0; k < 3; ++k) {
    std::optional<frame> f;
    for (f = next_of(*members[k], v2::type::msg, 5s); f;
         f = next_of(*members[k], v2::type::msg, 5s))
      if (std::get<v2::msg_delivery>(v2::decode_msg_delivery(f->payload)).text == "over TLS") break;
    ASSERT_TRUE(f) << "member on node " << k << " missed the message\n" << logs();
    EXPECT_EQ(std::get<v2::msg_delivery>(v2::decode_msg_delivery(f->payload)).sender, "user0");
  }
  ASSERT_TRUE(send_v2(*members[1], v2::dm_request{60, "user2", "psst"}));
  auto dm = next_of(*members[2], v2::type::dm);
  ASSERT_TRUE(dm) << logs();
  EXPECT_EQ(std::get<v2::dm_delivery>(v2::decode_dm_delivery(dm->payload)),
            (v2::dm_delivery{"user1", "psst"}));
  for (auto& n : nodes)
    EXPECT_EQ(n.log_count("TLS peer refused"), 0u) << logs();
}

TEST_F(ClusterTlsTest, ANodeWithASelfSignedCertificateIsRefusedAndBothSidesLogIt) {
  ASSERT_NO_FATAL_FAILURE(start_three());
  // The intruder trusts the cluster CA (its certificate is no secret) but has none from it.
  nodes.emplace_back();
  auto& intruder = nodes.back();
  intruder.start(nodes[0].cluster_port, tls_args(certs.path, "self-signed"));
  ASSERT_TRUE(intruder.server->started()) << intruder.server->describe();
  // The seed refuses the certificate; the intruder is told so by the seed's alert.
  ASSERT_TRUE(
      nodes[0].server->wait_for_log("cluster: TLS peer refused: incoming link", join_timeout))
      << logs();
  EXPECT_TRUE(nodes[0].server->wait_for_log("self-signed certificate", join_timeout)) << logs();
  // (The peer's address reads "?" when CAF has closed the socket by the time the alert is read.)
  ASSERT_TRUE(intruder.server->wait_for_log("cluster: TLS refused by peer: outgoing link with ",
                                            join_timeout))
      << logs();
  EXPECT_TRUE(intruder.server->wait_for_log("cannot reach seed", join_timeout)) << logs();
  // It keeps trying (a seed is redialled) and keeps being refused; nobody counts it.
  ASSERT_TRUE(nodes[0].wait_for_count("cluster: TLS peer refused: incoming link", 3, join_timeout))
      << logs();
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(nodes[i].log_count("nodes=4"), 0u) << logs();
    EXPECT_EQ(nodes[i].log_count("node joined address=" + address(intruder.cluster_port)), 0u);
    // The refusals do not disturb the links between the members (cluster_tls.cpp: CAF 0.17
    // under OpenSSL 3 used to drop every link after one failed handshake).
    EXPECT_EQ(nodes[i].log_count("node lost"), 0u) << logs();
  }
  EXPECT_EQ(intruder.log_count("node joined"), 0u) << logs();
  // Its clients see a chat of one: a name held in the cluster is free there.
  raw_client ann{nodes[1].port()}, mallory{intruder.port()};
  ASSERT_TRUE(log_in(ann, "ann"));
  ASSERT_TRUE(log_in(mallory, "ann"));
  ASSERT_TRUE(mallory.send_frame(type::broadcast_msg, "let me in"));
  EXPECT_FALSE(ann.read_frame(300ms)) << "a broadcast crossed into the cluster";
}

TEST_F(ClusterTlsTest, APlainNodeCannotJoinATlsClusterAndTheSeedLogsIt) {
  ASSERT_NO_FATAL_FAILURE(start_three());
  nodes.emplace_back();
  auto& plain = nodes.back();
  plain.start(nodes[0].cluster_port);
  ASSERT_TRUE(plain.server->started()) << plain.server->describe();
  EXPECT_TRUE(
      nodes[0].server->wait_for_log("cluster: TLS handshake failed: incoming link", join_timeout))
      << logs();
  EXPECT_TRUE(plain.server->wait_for_log("cannot reach seed", join_timeout)) << logs();
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(nodes[i].log_count("nodes=4"), 0u) << logs();
    EXPECT_EQ(nodes[i].log_count("node lost"), 0u) << logs();
  }
  EXPECT_EQ(plain.log_count("node joined"), 0u) << logs();
}

TEST_F(ClusterTlsTest, TheTlsOptionsGoTogetherAndMustBeReadable) {
  auto run = [](std::vector<std::string> args) {
    chat::test::child_process p{chat::test::chat_server_bin(), std::move(args)};
    auto status = p.wait(10s);
    return std::make_pair(status, p.stderr_text());
  };
  auto [half, half_err] =
      run({"--port=0", "--cluster-port=0", "--cluster-tls-cert=" + certs.path + "/a.pem"});
  EXPECT_TRUE(half.exited_with(2)) << half;
  EXPECT_NE(half_err.find("go together"), std::string::npos) << half_err;
  auto args = tls_args(certs.path, "a", "missing-ca.pem");
  args.push_back("--cluster-port=" + std::to_string(chat::test::free_port()));
  auto [missing, missing_err] = run(args);
  EXPECT_TRUE(missing.exited_with(2)) << missing;
  EXPECT_NE(missing_err.find("cannot read " + certs.path + "/missing-ca.pem"), std::string::npos)
      << missing_err;
}

// An IPv4 address of this machine that is not loopback, if it has one.
std::optional<std::string> non_loopback_address() {
  ifaddrs* all = nullptr;
  if (::getifaddrs(&all) != 0) return std::nullopt;
  std::optional<std::string> found;
  for (auto* i = all; i && !found; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
    auto* in = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
    if ((ntohl(in->sin_addr.s_addr) >> 24) == 127) continue;
    char text[INET_ADDRSTRLEN];
    ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    found = text;
  }
  ::freeifaddrs(all);
  return found;
}

TEST(ClusterPlainTest, PlainLinksWarnLoudlyOffLoopbackOnly) {
  chat::test::node local;
  local.start();
  ASSERT_TRUE(local.server->started()) << local.server->describe();
  EXPECT_EQ(local.log_count("UNAUTHENTICATED"), 0u) << local.server->stderr_text();
  auto host = non_loopback_address();
  if (!host) GTEST_SKIP() << "no non-loopback IPv4 address here";
  chat::test::node open;
  open.start(std::nullopt, {"--cluster-host=" + *host});
  ASSERT_TRUE(open.server->started()) << open.server->describe();
  EXPECT_TRUE(
      open.server->wait_for_log("cluster links on " + *host + " are UNAUTHENTICATED", join_timeout))
      << open.server->stderr_text();
  EXPECT_NE(open.server->child().stdout_text().find("WARNING: cluster links"), std::string::npos)
      << open.server->child().stdout_text();
}

} // namespace
