// channel_test.cpp -- channels through their directory: one encode per message and version,
// batches in order, presence, members that leave or die, the retire rule, bounds, WHO and LIST.
#include "actors/channel.hpp"
#include "actors/directory.hpp"
#include "messages/frame_encoder.hpp"
#include "messages/protocol_v2.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/frame_bytes.hpp"

#include <memory>
#include <string>
#include <tuple>
#include <vector>

namespace {

using chat::frame_batch;
using chat::test::copy_of;
namespace v2 = chat::v2;

using batches = std::shared_ptr<std::vector<frame_batch>>;

chat::member_actor::behavior_type batch_recorder(batches log) {
  return {[log](chat::deliver_atom, const frame_batch& b) { log->push_back(b); },
          [](chat::evict_atom) {},
          [](chat::direct_atom, const std::string&, const std::string&, const std::string&) {
            return caf::ok_atom_v;
          }};
}

// Every frame delivered to one member, flattened, as bytes.
std::vector<std::vector<char>> flat(const batches& log) {
  std::vector<std::vector<char>> out;
  for (auto& b : *log)
    for (auto& f : chat::frames(b))
      out.push_back(copy_of(f));
  return out;
}

class ChannelTest : public chat::test::actor_fixture {
protected:
  ChannelTest() { spawn_directory(); }
  ~ChannelTest() override { self->send_exit(directory, caf::exit_reason::user_shutdown); }

  void spawn_directory() {
    if (directory) self->send_exit(directory, caf::exit_reason::user_shutdown);
    directory = sys.spawn(chat::directory, limits);
    sched.run();
  }

  // A recording member joins `channel` as `user`; returns its handle or the error.
  std::pair<std::optional<chat::channel_handle>, caf::error>
  join(const std::string& channel, const std::string& user, batches log, bool is_v2 = true) {
    auto m = sys.spawn(batch_recorder, log);
    members.push_back(m);
    return join_as(m, channel, user, is_v2);
  }

  std::pair<std::optional<chat::channel_handle>, caf::error> join_as(const chat::member_actor& m,
                                                                     const std::string& channel,
                                                                     const std::string& user,
                                                                     bool is_v2 = true) {
    auto reply =
        self->request(directory, caf::infinite, chat::join_atom_v, channel, user, m, is_v2);
    sched.run();
    std::pair<std::optional<chat::channel_handle>, caf::error> result;
    reply.receive([&](chat::channel_handle h) { result.first = h; },
                  [&](caf::error& e) { result.second = std::move(e); });
    return result;
  }

  // The test's own actor joins, so that it may post under `user`.
  chat::channel_handle join_self(const std::string& channel, const std::string& user) {
    auto r = join_as(caf::actor_cast<chat::member_actor>(self), channel, user);
    EXPECT_TRUE(r.first.has_value()) << to_string(r.second);
    return *r.first;
  }

  void post(const chat::channel_handle& ch, const std::string& user, const std::string& text) {
    self->send(ch, chat::post_atom_v, user, text);
    sched.run();
  }

  uint64_t count(const std::string& channel) {
    auto reply = self->request(directory, caf::infinite, chat::count_atom_v, channel);
    sched.run();
    uint64_t n = 0;
    reply.receive([&](uint64_t x) { n = x; }, [](caf::error& e) { FAIL() << to_string(e); });
    return n;
  }

  std::tuple<uint32_t, std::vector<std::string>, std::vector<uint32_t>, std::string>
  list(const std::string& after, uint16_t limit) {
    auto reply = self->request(directory, caf::infinite, chat::list_atom_v, after, limit);
    sched.run();
    std::tuple<uint32_t, std::vector<std::string>, std::vector<uint32_t>, std::string> out;
    reply.receive(
        [&](uint32_t total, std::vector<std::string>& names, std::vector<uint32_t>& counts,
            std::string& next) {
          out = {total, names, counts, next};
        },
        [](caf::error& e) { FAIL() << to_string(e); });
    return out;
  }

  std::tuple<uint32_t, std::vector<std::string>, std::string> who(const std::string& channel,
                                                                  const std::string& after,
                                                                  uint16_t limit,
                                                                  caf::error* err = nullptr) {
    auto reply = self->request(directory, caf::infinite, chat::who_atom_v, channel, after, limit);
    sched.run();
    std::tuple<uint32_t, std::vector<std::string>, std::string> out;
    reply.receive(
        [&](uint32_t total, std::vector<std::string>& names, std::string& next) {
          out = {total, names, next};
        },
        [&](caf::error& e) {
          if (err) *err = e;
        });
    return out;
  }

  // Drops what the test's own mailbox got from channels (deliveries to self).
  void drain_self() {
    for (bool more = true; more;)
      self->receive([](chat::deliver_atom, const frame_batch&) {},
                    caf::after(std::chrono::seconds(0)) >> [&more] { more = false; });
  }

  chat::directory_options limits;
  chat::directory_actor directory;
  std::vector<chat::member_actor> members;
};

auto presence(const std::string& ch, const std::string& user, v2::presence_kind k) {
  return copy_of(v2::encode(v2::presence_event{ch, user, k}));
}
auto msg(const std::string& ch, const std::string& user, const std::string& text) {
  return copy_of(v2::encode(v2::msg_delivery{ch, user, text}));
}

TEST_F(ChannelTest, MessageReachesEveryMemberWithTheSameBytes) {
  auto ann = std::make_shared<std::vector<frame_batch>>();
  auto bob = std::make_shared<std::vector<frame_batch>>();
  join("rust", "ann", ann);
  join("rust", "bob", bob);
  auto me = join_self("rust", "me");
  ann->clear();
  bob->clear();
  post(me, "me", "hi");
  ASSERT_EQ(ann->size(), 1u);
  ASSERT_EQ(bob->size(), 1u);
  auto& a = chat::frames(ann->front());
  auto& b = chat::frames(bob->front());
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(chat::bytes(a[0]), msg("rust", "me", "hi"));
  EXPECT_EQ(chat::bytes(a[0]).data(), chat::bytes(b[0]).data()); // one encode, shared
}

TEST_F(ChannelTest, MessagesQueuedTogetherLeaveInOneDeliveryInOrder) {
  auto ann = std::make_shared<std::vector<frame_batch>>();
  join("c", "ann", ann);
  auto me = join_self("c", "me");
  ann->clear();
  for (auto text : {"one", "two", "three"})
    self->send(me, chat::post_atom_v, std::string{"me"}, std::string{text});
  sched.run();
  ASSERT_EQ(ann->size(), 1u); // one deliver message for three messages
  EXPECT_EQ(flat(ann), (std::vector<std::vector<char>>{msg("c", "me", "one"), msg("c", "me", "two"),
                                                       msg("c", "me", "three")}));
}

TEST_F(ChannelTest, PresenceTellsMembersWhoJoinedLeftAndDropped) {
  auto ann = std::make_shared<std::vector<frame_batch>>();
  auto [handle, err] = join("c", "ann", ann);
  ASSERT_TRUE(handle);
  auto bob_log = std::make_shared<std::vector<frame_batch>>();
  join("c", "bob", bob_log);
  auto cat_log = std::make_shared<std::vector<frame_batch>>();
  join("c", "cat", cat_log);
  auto me = join_self("c", "me");
  self->send(me, chat::leave_atom_v, std::string{"me"});
  sched.run();
  caf::anon_send_exit(members[1], caf::exit_reason::kill); // bob's connection drops
  sched.run();
  EXPECT_EQ(flat(ann),
            (std::vector<std::vector<char>>{presence("c", "ann", v2::presence_kind::joined),
                                            presence("c", "bob", v2::presence_kind::joined),
                                            presence("c", "cat", v2::presence_kind::joined),
                                            presence("c", "me", v2::presence_kind::joined),
                                            presence("c", "me", v2::presence_kind::left),
                                            presence("c", "bob", v2::presence_kind::dropped)}));
  EXPECT_EQ(count("c"), 2u);
  drain_self();
}

TEST_F(ChannelTest, NewMemberHearsNothingSaidBeforeItCame) {
  auto ann = std::make_shared<std::vector<frame_batch>>();
  auto me = join_self("c", "me");
  self->send(me, chat::post_atom_v, std::string{"me"}, std::string{"before"});
  // ann's join reaches the channel while "before" still waits in the batch.
  join("c", "ann", ann);
  EXPECT_EQ(flat(ann),
            (std::vector<std::vector<char>>{presence("c", "ann", v2::presence_kind::joined)}));
  drain_self();
}

TEST_F(ChannelTest, Version1MembersGetBroadcastMsgInTheDefaultChannelAndNoPresence) {
  auto old = std::make_shared<std::vector<frame_batch>>();
  auto fresh = std::make_shared<std::vector<frame_batch>>();
  join("lobby", "old", old, false);
  join("lobby", "new", fresh, true);
  auto me = join_self("lobby", "me");
  post(me, "me", "hi");
  EXPECT_EQ(flat(old),
            (std::vector<std::vector<char>>{copy_of(chat::encode_broadcast("me", "hi"))}));
  EXPECT_EQ(flat(fresh),
            (std::vector<std::vector<char>>{presence("lobby", "new", v2::presence_kind::joined),
                                            presence("lobby", "me", v2::presence_kind::joined),
                                            msg("lobby", "me", "hi")}));
  drain_self();
}

TEST_F(ChannelTest, PostUnderAnotherMembersNameOrAnonymousIsDropped) {
  auto ann = std::make_shared<std::vector<frame_batch>>();
  auto [handle, err] = join("c", "ann", ann);
  auto me = join_self("c", "me");
  ann->clear();
  post(me, "ann", "I am ann, honestly");
  caf::anon_send(me, chat::post_atom_v, std::string{"ann"}, std::string{"anonymous"});
  caf::anon_send(me, chat::leave_atom_v, std::string{"ann"});
  sched.run();
  EXPECT_TRUE(ann->empty());
  EXPECT_EQ(count("c"), 2u);
  post(me, "me", "hi");
  EXPECT_EQ(ann->size(), 1u);
  drain_self();
}

TEST_F(ChannelTest, EmptyChannelIsRetiredAndANewJoinSpawnsAFreshOne) {
  auto log = std::make_shared<std::vector<frame_batch>>();
  auto [first, e1] = join("c", "ann", log);
  ASSERT_TRUE(first);
  self->monitor(*first);
  caf::anon_send_exit(members[0], caf::exit_reason::kill);
  sched.run();
  bool down = false;
  self->receive([&](const caf::down_msg&) { down = true; },
                caf::after(std::chrono::seconds(0)) >> [] {});
  EXPECT_TRUE(down) << "the empty channel is still running";
  EXPECT_EQ(std::get<0>(list("", 0)), 0u);
  auto [second, e2] = join("c", "bob", log);
  ASSERT_TRUE(second);
  EXPECT_NE(second->address(), first->address());
  EXPECT_EQ(count("c"), 1u);
}

TEST_F(ChannelTest, JoinOnItsWayKeepsAnEmptyChannelAlive) {
  auto log = std::make_shared<std::vector<frame_batch>>();
  join("c", "ann", log);
  // ann dies; before the channel's empty report reaches the directory, bob's join is forwarded.
  auto bob = sys.spawn(batch_recorder, log);
  members.push_back(bob);
  caf::anon_send_exit(members[0], caf::exit_reason::kill);
  auto reply = self->request(directory, caf::infinite, chat::join_atom_v, std::string{"c"},
                             std::string{"bob"}, chat::member_actor{bob}, true);
  sched.prioritize(directory);
  sched.run_once(); // the directory forwards bob's join first
  sched.run();
  bool joined = false;
  reply.receive([&](chat::channel_handle) { joined = true; },
                [](caf::error& e) { FAIL() << to_string(e); });
  EXPECT_TRUE(joined);
  EXPECT_EQ(count("c"), 1u);
  EXPECT_EQ(std::get<0>(list("", 0)), 1u);
}

TEST_F(ChannelTest, FullChannelRefusesOneMore) {
  limits.max_channel_members = 2;
  spawn_directory();
  auto log = std::make_shared<std::vector<frame_batch>>();
  EXPECT_EQ(join("c", "a", log).second, caf::error{});
  EXPECT_EQ(join("c", "b", log).second, caf::error{});
  EXPECT_EQ(join("c", "c", log).second, chat::make_error(chat::errc::channel_full));
  EXPECT_EQ(count("c"), 2u);
}

TEST_F(ChannelTest, TooManyChannelsRefusesANewOneButNotTheDefaultChannel) {
  limits.max_channels = 1;
  spawn_directory();
  auto log = std::make_shared<std::vector<frame_batch>>();
  EXPECT_EQ(join("one", "a", log).second, caf::error{});
  EXPECT_EQ(join("two", "a", log).second, chat::make_error(chat::errc::too_many_channels));
  EXPECT_EQ(join("one", "b", log).second, caf::error{}) << "an existing channel stays open";
  EXPECT_EQ(join("lobby", "a", log).second, caf::error{});
}

TEST_F(ChannelTest, WhoAndListPageInByteOrder) {
  auto log = std::make_shared<std::vector<frame_batch>>();
  for (auto user : {"dan", "ann", "cat", "bob", "eve"})
    join("c", user, log);
  join("a", "ann", log);
  join("b", "ann", log);
  auto [total, names, next] = who("c", "", 2);
  EXPECT_EQ(total, 5u);
  EXPECT_EQ(names, (std::vector<std::string>{"ann", "bob"}));
  EXPECT_EQ(next, "bob");
  std::tie(total, names, next) = who("c", "bob", 2);
  EXPECT_EQ(names, (std::vector<std::string>{"cat", "dan"}));
  std::tie(total, names, next) = who("c", "dan", 2);
  EXPECT_EQ(names, (std::vector<std::string>{"eve"}));
  EXPECT_EQ(next, "") << "the last page says so";
  auto [ctotal, cnames, counts, cnext] = list("", 2);
  EXPECT_EQ(ctotal, 3u);
  EXPECT_EQ(cnames, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(counts, (std::vector<uint32_t>{1, 1}));
  EXPECT_EQ(cnext, "b");
  std::tie(ctotal, cnames, counts, cnext) = list("b", 2);
  EXPECT_EQ(cnames, (std::vector<std::string>{"c"}));
  EXPECT_EQ(counts, (std::vector<uint32_t>{5}));
  EXPECT_EQ(cnext, "");
  caf::error err;
  who("nowhere", "", 0, &err);
  EXPECT_EQ(err, chat::make_error(chat::errc::no_such_channel));
}

TEST_F(ChannelTest, ReconnectUnderTheSameUserReplacesTheOlderMember) {
  auto old_log = std::make_shared<std::vector<frame_batch>>();
  auto new_log = std::make_shared<std::vector<frame_batch>>();
  join("c", "ann", old_log);
  join("c", "ann", new_log);
  EXPECT_EQ(count("c"), 1u);
  auto me = join_self("c", "me");
  old_log->clear();
  new_log->clear();
  post(me, "me", "hi");
  EXPECT_TRUE(old_log->empty());
  EXPECT_EQ(new_log->size(), 1u);
  drain_self();
}

} // namespace

namespace {

using events = std::shared_ptr<std::vector<chat::channel_event>>;

chat::channel_observer::behavior_type recording_observer(events log) {
  return {[log](chat::event_atom, const chat::channel_event& e) { log->push_back(e); }};
}

using kind = chat::channel_event::kind;

TEST_F(ChannelTest, ObserverSeesDecodedEventsInOrderUntilDetached) {
  auto log = std::make_shared<std::vector<chat::channel_event>>();
  auto watcher = sys.spawn(recording_observer, log);
  self->send(directory, chat::observe_atom_v, std::string{"c"}, watcher);
  sched.run();
  EXPECT_EQ(std::get<0>(list("", 0)), 1u) << "observing a channel nobody is in creates it";
  auto me = join_self("c", "me");
  post(me, "me", "hi");
  self->send(me, chat::leave_atom_v, std::string{"me"});
  sched.run();
  EXPECT_EQ(*log, (std::vector<chat::channel_event>{{kind::joined, "c", "me", ""},
                                                    {kind::message, "c", "me", "hi"},
                                                    {kind::left, "c", "me", ""}}));
  self->send(directory, chat::unobserve_atom_v, std::string{"c"}, watcher);
  sched.run();
  EXPECT_EQ(std::get<0>(list("", 0)), 0u) << "no member, no observer: the channel retires";
  drain_self();
  self->send_exit(watcher, caf::exit_reason::user_shutdown);
}

TEST_F(ChannelTest, ObserverThatDiesIsDetached) {
  auto log = std::make_shared<std::vector<chat::channel_event>>();
  auto watcher = sys.spawn(recording_observer, log);
  self->send(directory, chat::observe_atom_v, std::string{"c"}, watcher);
  sched.run();
  caf::anon_send_exit(watcher, caf::exit_reason::kill);
  sched.run();
  EXPECT_EQ(std::get<0>(list("", 0)), 0u);
}

} // namespace
