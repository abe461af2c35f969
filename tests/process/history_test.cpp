// history_test.cpp -- channel history against the real chat-server and its store on disk
// (docs/PROTOCOL.md "History"): a member that drops mid-stream recovers every message exactly
// once; a clean restart keeps history and offsets; kill -9 either keeps everything or changes
// the epoch; bad recovery requests get their documented answer; direct messages wait for a user
// who is away. Clients are raw sockets speaking version 2 (history_client.hpp).
#include "tests/process/history_client.hpp"
#include "tests/support/scratch_dir.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace chat::reliability;
namespace v2 = chat::v2;
using chat::recovery;
using chat::replay_mode;
using chat::replay_request;
using chat::test::scratch_dir;

TEST(HistoryTest, AMemberThatDropsMidStreamRecoversEveryMessageOnceInOrder) {
  server_process server{{"--max-broadcast-rate=0"}};
  ASSERT_TRUE(server.started()) << server.describe();
  constexpr int senders = 5, per_sender = 200;
  std::vector<std::unique_ptr<raw_client>> s;
  for (int k = 0; k < senders; ++k) {
    s.push_back(std::make_unique<raw_client>(server.port()));
    ASSERT_TRUE(v2_login(*s.back(), "s" + std::to_string(k)));
    ASSERT_TRUE(join(*s.back(), 1, "h", none()));
  }
  auto member = std::make_unique<raw_client>(server.port());
  ASSERT_TRUE(v2_login(*member, "m"));
  auto first = join(*member, 1, "h", none());
  ASSERT_TRUE(first);
  auto epoch = first->position.epoch;
  EXPECT_NE(epoch, 0u);

  std::map<uint64_t, std::string> seen; // offset -> text, every message the member got
  auto send_round = [&](int from, int to) {
    for (int i = from; i < to; ++i)
      for (int k = 0; k < senders; ++k)
        ASSERT_TRUE(send_v2(
            *s[k], v2::msg_request{1, "h", "s" + std::to_string(k) + "-" + std::to_string(i)}));
  };
  auto drain_senders = [&] { // each sender reads its copies, so no socket fills up
    for (auto& c : s)
      while (c->read_frame(10ms)) {
      }
  };
  // First half: the member reads 300 of its 500, then its connection drops without a word.
  send_round(0, per_sender / 2);
  uint64_t last = 0;
  for (int n = 0; n < 300; ++n) {
    auto m = next_msg(*member);
    ASSERT_TRUE(m) << "after " << n << ": " << member->failure();
    EXPECT_EQ(m->offset, last + 1) << "gap or reorder";
    last = m->offset;
    seen[m->offset] = m->text;
  }
  member.reset();
  drain_senders();
  // Second half goes out while the member is away, then it comes back asking since `last`.
  send_round(per_sender / 2, per_sender);
  drain_senders();
  ASSERT_TRUE(login_again(member, server.port(), "m"));
  auto back = join(*member, 1, "h", since(epoch, last));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->position.result, recovery::replayed);
  EXPECT_EQ(back->position.epoch, epoch);
  EXPECT_EQ(back->position.last, uint64_t{senders * per_sender});
  EXPECT_EQ(back->position.replayed, senders * per_sender - last);
  while (seen.size() < senders * per_sender) {
    auto m = next_msg(*member);
    ASSERT_TRUE(m) << "with " << seen.size() << " seen: " << member->failure();
    EXPECT_EQ(m->offset, last + 1) << "gap, duplicate or reorder";
    last = m->offset;
    EXPECT_TRUE(seen.emplace(m->offset, m->text).second) << "offset twice: " << m->offset;
  }
  // Exactly once each, and each sender's messages in the order it sent them.
  std::map<std::string, int> next_of_sender;
  for (auto& [offset, text] : seen) {
    auto dash = text.find('-');
    auto who = text.substr(0, dash);
    EXPECT_EQ(std::stoi(text.substr(dash + 1)), next_of_sender[who]++) << text;
  }
  EXPECT_EQ(next_of_sender.size(), std::size_t{senders});
  EXPECT_FALSE(next_of(*member, v2::type::msg, 200ms)) << "no message after the last one";
}

TEST(HistoryTest, ACleanRestartKeepsHistoryAndOffsets) {
  scratch_dir dir;
  uint64_t epoch = 0;
  {
    server_process server{{"--data-dir=" + dir.path, "--max-broadcast-rate=0"}};
    ASSERT_TRUE(server.started()) << server.describe();
    raw_client ann{server.port()};
    ASSERT_TRUE(v2_login(ann, "ann"));
    auto j = join(ann, 1, "keep", none());
    ASSERT_TRUE(j);
    epoch = j->position.epoch;
    EXPECT_EQ(say(ann, "keep", "before-", 30), 30u);
    auto stopped = server.stop();
    EXPECT_TRUE(stopped.status.exited_with(0)) << stopped.status;
    EXPECT_NE(server.stderr_text().find("history: closed cleanly"), std::string::npos)
        << server.stderr_text();
  }
  server_process server{{"--data-dir=" + dir.path, "--max-broadcast-rate=0"}};
  ASSERT_TRUE(server.started()) << server.describe();
  raw_client ann{server.port()};
  ASSERT_TRUE(v2_login(ann, "ann"));
  auto j = join(ann, 1, "keep", since(epoch, 0));
  ASSERT_TRUE(j);
  EXPECT_EQ(j->position.result, recovery::replayed);
  EXPECT_EQ(j->position.epoch, epoch);
  EXPECT_EQ(j->position.first, 1u);
  EXPECT_EQ(j->position.last, 30u);
  EXPECT_EQ(j->position.replayed, 30u);
  for (uint64_t i = 1; i <= 30; ++i) {
    auto m = next_msg(ann);
    ASSERT_TRUE(m) << ann.failure();
    EXPECT_EQ(m->offset, i);
    EXPECT_EQ(m->text, "before-" + std::to_string(i));
    EXPECT_EQ(m->sender, "ann");
  }
  EXPECT_EQ(say(ann, "keep", "after-", 1), 31u) << "offsets go on where they stopped";
  // HISTORY pages backwards from the newest.
  ASSERT_TRUE(send_v2(ann, v2::history_request{7, "keep", 0, 10}));
  auto f = next_of(ann, v2::type::history_reply);
  ASSERT_TRUE(f) << ann.failure();
  auto page = std::get<v2::history_reply>(v2::decode_history_reply(f->payload));
  EXPECT_EQ(page.ref, 7u);
  EXPECT_EQ(page.page.epoch, epoch);
  ASSERT_EQ(page.page.entries.size(), 10u);
  EXPECT_EQ(page.page.entries.front().offset, 22u);
  EXPECT_EQ(page.page.entries.back().text, "after-1");
  EXPECT_EQ(page.page.next_before, 22u);
  EXPECT_GT(page.page.entries.back().time_ms, 0);
}

TEST(HistoryTest, KillNineEitherKeepsEverythingOrChangesTheEpoch) {
  scratch_dir dir;
  uint64_t epoch = 0, last = 0;
  {
    server_process server{{"--data-dir=" + dir.path, "--max-broadcast-rate=0"}};
    ASSERT_TRUE(server.started()) << server.describe();
    raw_client ann{server.port()};
    ASSERT_TRUE(v2_login(ann, "ann"));
    auto j = join(ann, 1, "k9", none());
    ASSERT_TRUE(j);
    epoch = j->position.epoch;
    last = say(ann, "k9", "m", 100);
    ASSERT_EQ(last, 100u);
    server.child().send_signal(SIGKILL);
    server.child().wait(exit_timeout);
  }
  server_process server{{"--data-dir=" + dir.path}};
  ASSERT_TRUE(server.started()) << server.describe();
  raw_client ann{server.port()};
  ASSERT_TRUE(v2_login(ann, "ann"));
  auto j = join(ann, 1, "k9", since(epoch, last, 5));
  ASSERT_TRUE(j);
  if (j->position.result == recovery::replayed) {
    // Everything was kept: the same epoch, nothing missed, nothing to replay.
    EXPECT_EQ(j->position.epoch, epoch);
    EXPECT_EQ(j->position.last, last);
    EXPECT_EQ(j->position.replayed, 0u);
  } else {
    // Continuity was lost: a new epoch says so, and the last 5 kept are shown instead.
    EXPECT_EQ(j->position.result, recovery::epoch_changed);
    EXPECT_NE(j->position.epoch, epoch);
    EXPECT_LE(j->position.replayed, 5u);
    EXPECT_TRUE(server.wait_for_log("did not stop cleanly", io_timeout)) << server.stderr_text();
  }
  std::cout << "[ history  ] after kill -9: "
            << (j->position.result == recovery::replayed ? "everything kept" : "new epoch") << ", "
            << j->position.last << " messages kept" << std::endl;
}

TEST(HistoryTest, BadRecoveryRequestsGetPlainAnswers) {
  server_process server{{"--max-broadcast-rate=0", "--history-max-messages=50"}};
  ASSERT_TRUE(server.started()) << server.describe();
  raw_client ann{server.port()};
  ASSERT_TRUE(v2_login(ann, "ann"));
  auto j = join(ann, 1, "bad", none());
  ASSERT_TRUE(j);
  auto epoch = j->position.epoch;
  EXPECT_EQ(say(ann, "bad", "m", 60), 60u);
  raw_client bob{server.port()};
  ASSERT_TRUE(v2_login(bob, "bob"));
  struct ask_case {
    const char* what;
    replay_request ask;
    recovery result;
    uint32_t replayed;
  };
  for (auto& c : std::vector<ask_case>{
           {"a future offset", since(epoch, 65, 3), recovery::future, 3},
           {"an unknown epoch", since(epoch + 1, 50, 2), recovery::epoch_changed, 2},
           {"an offset no longer kept (50 kept: 11..60)", since(epoch, 5, 0), recovery::too_old, 0},
           {"the newest offset", since(epoch, 60), recovery::replayed, 0},
           {"more than is kept", {replay_mode::last, 0, 0, 50}, recovery::replayed, 50},
       }) {
    auto got = join(bob, 2, "bad", c.ask);
    ASSERT_TRUE(got) << c.what << ": " << bob.failure();
    EXPECT_EQ(got->position.result, c.result) << c.what;
    EXPECT_EQ(got->position.replayed, c.replayed) << c.what;
    EXPECT_EQ(got->position.first, 11u) << c.what;
    EXPECT_EQ(got->position.last, 60u) << c.what;
    for (uint32_t i = 0; i < c.replayed; ++i)
      ASSERT_TRUE(next_msg(bob)) << c.what;
    ASSERT_TRUE(send_v2(bob, v2::leave_request{3, "bad"}));
    auto left = next_reply(bob);
    ASSERT_TRUE(left && left->result == v2::status::ok) << c.what;
  }
  // A count past what is kept is refused, not cut: the client would take it for everything.
  ASSERT_TRUE(
      send_v2(bob, v2::join_request{4, "bad", replay_request{replay_mode::last, 0, 0, 51}}));
  auto refused = next_reply(bob);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->text, "count too large (at most 50)");
  // HISTORY of a channel one is not in.
  ASSERT_TRUE(send_v2(bob, v2::history_request{5, "bad", 0, 10}));
  refused = next_reply(bob);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->text, "not a member of bad");
  // The largest limit is clamped to the page size; an offset past the newest means the newest.
  ASSERT_TRUE(send_v2(ann, v2::history_request{6, "bad", ~uint64_t{0}, 65535}));
  auto f = next_of(ann, v2::type::history_reply);
  ASSERT_TRUE(f);
  auto page = std::get<v2::history_reply>(v2::decode_history_reply(f->payload));
  EXPECT_EQ(page.page.entries.size(), 50u) << "all 50 kept fit in one page of 100";
  EXPECT_EQ(page.page.entries.back().offset, 60u);
  EXPECT_EQ(page.page.next_before, 0u) << "nothing older is kept";
}

TEST(HistoryTest, DirectMessagesToAUserWhoIsAwayWaitForTheNextLoginEvenAcrossARestart) {
  scratch_dir dir;
  {
    server_process server{{"--data-dir=" + dir.path, "--max-broadcast-rate=0"}};
    ASSERT_TRUE(server.started()) << server.describe();
    raw_client ann{server.port()};
    ASSERT_TRUE(v2_login(ann, "ann"));
    for (uint32_t i = 1; i <= 3; ++i) {
      ASSERT_TRUE(
          send_v2(ann, v2::dm_request{i, "bob", "while you were out " + std::to_string(i)}));
      auto r = next_reply(ann);
      ASSERT_TRUE(r) << ann.failure();
      EXPECT_EQ(r->result, v2::status::ok);
      EXPECT_EQ(r->text, "kept until bob logs in");
    }
    // bob logs in: the three are there, in order, and handed over once.
    raw_client bob{server.port()};
    ASSERT_TRUE(v2_login(bob, "bob"));
    for (int i = 1; i <= 3; ++i) {
      auto f = next_of(bob, v2::type::dm);
      ASSERT_TRUE(f) << bob.failure();
      auto dm = std::get<v2::dm_delivery>(v2::decode_dm_delivery(f->payload));
      EXPECT_EQ(dm.sender, "ann");
      EXPECT_EQ(dm.text, "while you were out " + std::to_string(i));
    }
    // One more while bob is away again, then a clean stop.
    bob.close();
    std::unique_ptr<raw_client> again;
    auto deadline = clock_type::now() + io_timeout;
    for (;;) { // until bob's name is free, the DM goes to bob's session instead
      ASSERT_TRUE(send_v2(ann, v2::dm_request{9, "bob", "after the restart"}));
      auto r = next_reply(ann);
      ASSERT_TRUE(r);
      if (r->text == "kept until bob logs in") break;
      ASSERT_LT(clock_type::now(), deadline) << "bob never went away: " << r->text;
    }
    EXPECT_TRUE(server.stop().status.exited_with(0));
  }
  server_process server{{"--data-dir=" + dir.path}};
  ASSERT_TRUE(server.started()) << server.describe();
  raw_client bob{server.port()};
  ASSERT_TRUE(v2_login(bob, "bob"));
  auto f = next_of(bob, v2::type::dm);
  ASSERT_TRUE(f) << bob.failure();
  EXPECT_EQ(std::get<v2::dm_delivery>(v2::decode_dm_delivery(f->payload)).text,
            "after the restart");
  EXPECT_FALSE(next_of(bob, v2::type::dm, 200ms)) << "the first three were handed over already";
}

} // namespace
