// roster_test.cpp -- the roster actor: unique names, members that die or leave, direct
// messages from the holder of a name to the holder of another.
#include "actors/roster.hpp"
#include "tests/support/actor_fixture.hpp"

#include <memory>
#include <string>
#include <vector>

namespace {

// What a recording member was sent: direct messages as "from: text".
using inbox = std::shared_ptr<std::vector<std::string>>;

// A member that keeps every direct message; `takes_direct` false answers as a version-1 client.
chat::member_actor::behavior_type recording_member(inbox box, bool takes_direct) {
  return {[](chat::deliver_atom, const chat::frame_batch&) {}, [](chat::evict_atom) {},
          [box, takes_direct](chat::direct_atom, const std::string&, const std::string& from,
                              const std::string& text) -> caf::result<caf::ok_atom> {
            if (!takes_direct) return chat::make_error(chat::errc::no_direct);
            box->push_back(from + ": " + text);
            return caf::ok_atom_v;
          }};
}

class RosterTest : public chat::test::actor_fixture {
protected:
  RosterTest() : roster(sys.spawn(chat::roster)) { sched.run(); }
  ~RosterTest() override { self->send_exit(roster, caf::exit_reason::user_shutdown); }

  // Spawns a recording member and logs it in; returns the outcome.
  caf::error join(const std::string& name, inbox box = std::make_shared<std::vector<std::string>>(),
                  bool takes_direct = true) {
    auto m = sys.spawn(recording_member, box, takes_direct);
    members.push_back(m);
    auto reply = self->request(roster, caf::infinite, chat::join_atom_v, name, m);
    sched.run();
    caf::error result;
    reply.receive([](caf::ok_atom) {}, [&](caf::error& e) { result = std::move(e); });
    return result;
  }

  // Logs the test's own actor in as `name`, so that it may send direct messages under it.
  void join_self(const std::string& name) {
    auto me = caf::actor_cast<chat::member_actor>(self);
    auto reply = self->request(roster, caf::infinite, chat::join_atom_v, name, me);
    sched.run();
    reply.receive([](caf::ok_atom) {}, [](caf::error& e) { FAIL() << to_string(e); });
  }

  caf::error direct(const std::string& to, const std::string& from, const std::string& text) {
    auto reply = self->request(roster, caf::infinite, chat::direct_atom_v, to, from, text);
    sched.run();
    caf::error result;
    reply.receive([](caf::ok_atom) {}, [&](caf::error& e) { result = std::move(e); });
    return result;
  }

  uint64_t count() {
    auto reply = self->request(roster, caf::infinite, chat::count_atom_v);
    sched.run();
    uint64_t n = 0;
    reply.receive([&](uint64_t x) { n = x; }, [](caf::error& e) { FAIL() << to_string(e); });
    return n;
  }

  chat::roster_actor roster;
  std::vector<chat::member_actor> members;
};

TEST_F(RosterTest, FreeNameJoins) {
  EXPECT_EQ(join("ann"), caf::error{});
  EXPECT_EQ(count(), 1u);
}

TEST_F(RosterTest, TakenNameIsRefused) {
  ASSERT_EQ(join("ann"), caf::error{});
  EXPECT_EQ(join("ann"), chat::make_error(chat::errc::name_taken));
  EXPECT_EQ(count(), 1u);
}

TEST_F(RosterTest, DeadMemberLeavesAndFreesItsName) {
  join("ann");
  join("bob");
  caf::anon_send_exit(members[0], caf::exit_reason::kill);
  sched.run();
  EXPECT_EQ(count(), 1u);
  EXPECT_EQ(join("ann"), caf::error{});
}

TEST_F(RosterTest, OnlyTheHolderMayLeaveItsName) {
  join("ann");
  self->send(roster, chat::leave_atom_v, std::string{"ann"}); // self is not ann
  sched.run();
  EXPECT_EQ(count(), 1u);
  caf::anon_send(roster, chat::leave_atom_v, std::string{"ann"}); // nobody at all
  sched.run();
  EXPECT_EQ(count(), 1u);
}

TEST_F(RosterTest, HolderLeavingFreesTheName) {
  join_self("ann");
  self->send(roster, chat::leave_atom_v, std::string{"ann"});
  sched.run();
  EXPECT_EQ(count(), 0u);
}

TEST_F(RosterTest, OneMemberHoldsOneName) {
  auto me = caf::actor_cast<chat::member_actor>(self);
  join_self("ann");
  auto reply = self->request(roster, caf::infinite, chat::join_atom_v, std::string{"ann2"}, me);
  sched.run();
  reply.receive([](caf::ok_atom) { FAIL() << "joined twice"; },
                [](caf::error& e) { EXPECT_EQ(e, chat::make_error(chat::errc::already_joined)); });
  EXPECT_EQ(count(), 1u);
}

TEST_F(RosterTest, DirectMessageReachesTheHolderAndIsAcknowledged) {
  auto box = std::make_shared<std::vector<std::string>>();
  join("bob", box);
  join_self("ann");
  EXPECT_EQ(direct("bob", "ann", "psst"), caf::error{});
  EXPECT_EQ(*box, std::vector<std::string>{"ann: psst"});
}

TEST_F(RosterTest, DirectMessageToNobodyIsRefusedNoSuchUser) {
  join_self("ann");
  EXPECT_EQ(direct("nobody", "ann", "hello?"), chat::make_error(chat::errc::no_such_user));
}

TEST_F(RosterTest, DirectMessageToAVersion1MemberIsRefusedNoDirect) {
  auto box = std::make_shared<std::vector<std::string>>();
  join("old", box, false);
  join_self("ann");
  EXPECT_EQ(direct("old", "ann", "hi"), chat::make_error(chat::errc::no_direct));
  EXPECT_TRUE(box->empty());
}

TEST_F(RosterTest, DirectMessageUnderAnotherNameOrAnonymousIsRefused) {
  auto box = std::make_shared<std::vector<std::string>>();
  join("bob", box);
  join("cat");
  join_self("ann");
  EXPECT_EQ(direct("bob", "cat", "I am cat"), chat::make_error(chat::errc::refused));
  caf::anon_send(roster, chat::direct_atom_v, std::string{"bob"}, std::string{"ann"},
                 std::string{"anonymous"});
  sched.run();
  EXPECT_TRUE(box->empty());
}

TEST_F(RosterTest, DirectMessageToAMemberThatDiedMeanwhileIsNoSuchUser) {
  join("bob");
  join_self("ann");
  auto reply = self->request(roster, caf::infinite, chat::direct_atom_v, std::string{"bob"},
                             std::string{"ann"}, std::string{"hi"});
  caf::anon_send_exit(members[0], caf::exit_reason::kill); // bob dies; the roster learns it
  sched.prioritize(members[0]);                            // only after the direct message
  sched.run_once();
  sched.run();
  caf::error result;
  reply.receive([](caf::ok_atom) {}, [&](caf::error& e) { result = std::move(e); });
  EXPECT_EQ(result, chat::make_error(chat::errc::no_such_user));
}

} // namespace
