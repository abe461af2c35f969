// room_test.cpp -- the room actor: unique names, batched fan-out of frames encoded once,
// members that die or leave.
#include "actors/room.hpp"
#include "messages/frame_encoder.hpp"
#include "tests/support/actor_fixture.hpp"
#include "tests/support/frame_bytes.hpp"

#include <memory>
#include <vector>

namespace {

using chat::test::copy_of;

using chat::frame_batch;

// A member that keeps every batch it is delivered.
using batches = std::shared_ptr<std::vector<frame_batch>>;

chat::member_actor::behavior_type recording_member(batches log) {
  return {[log](chat::deliver_atom, const frame_batch& b) { log->push_back(b); },
          [](chat::evict_atom) {}};
}

class RoomTest : public chat::test::actor_fixture {
protected:
  RoomTest() : room(sys.spawn(chat::room)) { sched.run(); }
  ~RoomTest() override { self->send_exit(room, caf::exit_reason::user_shutdown); }

  // Spawns a recording member and joins it; returns the join's outcome.
  caf::error join(const std::string& name, batches log) {
    auto m = sys.spawn(recording_member, log);
    members.push_back(m);
    auto reply = self->request(room, caf::infinite, chat::join_atom_v, name, m);
    sched.run();
    caf::error result;
    reply.receive([](caf::ok_atom) {}, [&](caf::error& e) { result = std::move(e); });
    return result;
  }

  // Joins the test's own actor as `name`, so that it may broadcast under that name.
  void join_self(const std::string& name) {
    auto me = caf::actor_cast<chat::member_actor>(self);
    auto reply = self->request(room, caf::infinite, chat::join_atom_v, name, me);
    sched.run();
    reply.receive([](caf::ok_atom) {}, [](caf::error& e) { FAIL() << to_string(e); });
  }

  void broadcast(const std::string& name, const std::string& text) {
    self->send(room, chat::broadcast_atom_v, name, text);
    sched.run();
  }

  uint64_t count() {
    auto reply = self->request(room, caf::infinite, chat::count_atom_v);
    sched.run();
    uint64_t n = 0;
    reply.receive([&](uint64_t x) { n = x; }, [](caf::error& e) { FAIL() << to_string(e); });
    return n;
  }

  chat::room_actor room;
  std::vector<chat::member_actor> members;
};

TEST_F(RoomTest, FreeNameJoins) {
  EXPECT_EQ(join("ann", std::make_shared<std::vector<frame_batch>>()), caf::error{});
  EXPECT_EQ(count(), 1u);
}

TEST_F(RoomTest, TakenNameIsRefused) {
  auto log = std::make_shared<std::vector<frame_batch>>();
  ASSERT_EQ(join("ann", log), caf::error{});
  EXPECT_EQ(join("ann", log), chat::make_error(chat::errc::name_taken));
  EXPECT_EQ(count(), 1u);
}

TEST_F(RoomTest, BroadcastReachesEveryMemberWithTheSameBytes) {
  auto ann = std::make_shared<std::vector<frame_batch>>();
  auto bob = std::make_shared<std::vector<frame_batch>>();
  join("ann", ann);
  join("bob", bob);
  join_self("me");
  broadcast("me", "hi");
  ASSERT_EQ(ann->size(), 1u);
  ASSERT_EQ(bob->size(), 1u);
  auto& a = chat::frames(ann->front());
  auto& b = chat::frames(bob->front());
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(chat::bytes(a[0]), copy_of(chat::encode_broadcast("me", "hi")));
  // One encode: both members hold the very same buffer.
  EXPECT_EQ(chat::bytes(a[0]).data(), chat::bytes(b[0]).data());
}

TEST_F(RoomTest, BroadcastsQueuedTogetherLeaveInOneDeliveryInOrder) {
  auto ann = std::make_shared<std::vector<frame_batch>>();
  join("ann", ann);
  join_self("me");
  for (auto text : {"one", "two", "three"})
    self->send(room, chat::broadcast_atom_v, std::string{"me"}, std::string{text});
  sched.run();
  ASSERT_EQ(ann->size(), 1u); // one deliver message for three broadcasts
  auto& batch = chat::frames(ann->front());
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(chat::bytes(batch[0]), copy_of(chat::encode_broadcast("me", "one")));
  EXPECT_EQ(chat::bytes(batch[1]), copy_of(chat::encode_broadcast("me", "two")));
  EXPECT_EQ(chat::bytes(batch[2]), copy_of(chat::encode_broadcast("me", "three")));
  // The next broadcast starts a new batch.
  broadcast("me", "four");
  ASSERT_EQ(ann->size(), 2u);
  EXPECT_EQ(chat::frames(ann->back()).size(), 1u);
}

TEST_F(RoomTest, BroadcastFromSomeoneNotInTheRoomIsDropped) {
  auto ann = std::make_shared<std::vector<frame_batch>>();
  join("ann", ann);
  broadcast("ghost", "boo");
  EXPECT_TRUE(ann->empty());
}

TEST_F(RoomTest, BroadcastUnderAnotherMembersNameIsDropped) {
  auto ann = std::make_shared<std::vector<frame_batch>>();
  join("ann", ann);
  join_self("me");
  broadcast("ann", "I am ann, honestly");
  caf::anon_send(room, chat::broadcast_atom_v, std::string{"ann"}, std::string{"anonymous"});
  sched.run();
  EXPECT_TRUE(ann->empty());
  broadcast("me", "hi");
  EXPECT_EQ(ann->size(), 1u);
}

TEST_F(RoomTest, DeadMemberLeavesAndFreesItsName) {
  auto log = std::make_shared<std::vector<frame_batch>>();
  join("ann", log);
  join("bob", log);
  caf::anon_send_exit(members[0], caf::exit_reason::kill);
  sched.run();
  EXPECT_EQ(count(), 1u);
  EXPECT_EQ(join("ann", log), caf::error{});
}

TEST_F(RoomTest, OnlyTheHolderMayLeaveItsName) {
  auto log = std::make_shared<std::vector<frame_batch>>();
  join("ann", log);
  self->send(room, chat::leave_atom_v, std::string{"ann"}); // self is not ann
  sched.run();
  EXPECT_EQ(count(), 1u);
  caf::anon_send(room, chat::leave_atom_v, std::string{"ann"}); // nobody at all
  sched.run();
  EXPECT_EQ(count(), 1u);
}

TEST_F(RoomTest, HolderLeavingFreesTheName) {
  auto me = caf::actor_cast<chat::member_actor>(self);
  auto reply = self->request(room, caf::infinite, chat::join_atom_v, std::string{"ann"}, me);
  sched.run();
  reply.receive([](caf::ok_atom) {}, [](caf::error& e) { FAIL() << to_string(e); });
  self->send(room, chat::leave_atom_v, std::string{"ann"});
  sched.run();
  EXPECT_EQ(count(), 0u);
}

TEST_F(RoomTest, OneMemberHoldsOneName) {
  auto me = caf::actor_cast<chat::member_actor>(self);
  join_self("ann");
  auto reply = self->request(room, caf::infinite, chat::join_atom_v, std::string{"ann2"}, me);
  sched.run();
  reply.receive([](caf::ok_atom) { FAIL() << "joined twice"; },
                [](caf::error& e) { EXPECT_EQ(e, chat::make_error(chat::errc::already_joined)); });
  EXPECT_EQ(count(), 1u);
}

} // namespace
