// session_outbox_test.cpp -- the outbox a session gives each channel it joins: held until the
// session opens it, then straight through in order; dropped once closed; bounded while held.
#include "actors/session_outbox.hpp"
#include "messages/frame_encoder.hpp"
#include "tests/support/recording_connection.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace chat::test {
namespace {

frame_batch batch_of(std::vector<std::string> texts) {
  std::vector<frame> frames;
  for (auto& t : texts)
    frames.push_back(encode(frame_type::broadcast_msg, t));
  return frame_batch{std::move(frames)};
}

std::vector<std::string> payloads(recording_connection& conn) {
  std::vector<std::string> out;
  for (auto& f : conn.take())
    out.push_back(f.payload);
  return out;
}

using texts = std::vector<std::string>;

TEST(SessionOutboxTest, HoldsBatchesUntilOpenedThenSendsThemInOrderAndLaterOnesAtOnce) {
  auto conn = std::make_shared<recording_connection>();
  session_outbox outbox{conn};
  outbox.deliver(batch_of({"a", "b"}));
  outbox.deliver(batch_of({"c"}));
  EXPECT_TRUE(payloads(*conn).empty()) << "nothing may overtake the session's own answer";
  EXPECT_TRUE(outbox.open());
  EXPECT_EQ(payloads(*conn), (texts{"a", "b", "c"}));
  outbox.deliver(batch_of({"d"}));
  EXPECT_EQ(payloads(*conn), (texts{"d"}));
  EXPECT_TRUE(outbox.open()) << "opening twice changes nothing";
  EXPECT_TRUE(payloads(*conn).empty());
}

TEST(SessionOutboxTest, AClosedOutboxDropsWhatComesAndWhatWaited) {
  auto conn = std::make_shared<recording_connection>();
  session_outbox held{conn};
  held.deliver(batch_of({"before"}));
  held.close();
  held.deliver(batch_of({"after"}));
  EXPECT_FALSE(held.open()) << "a closed outbox stays closed";
  EXPECT_TRUE(payloads(*conn).empty());

  session_outbox open{conn};
  ASSERT_TRUE(open.open());
  open.deliver(batch_of({"in"}));
  open.close();
  open.deliver(batch_of({"out"}));
  EXPECT_EQ(payloads(*conn), (texts{"in"}));
}

TEST(SessionOutboxTest, HoldingIsBoundedAndAnOverflowIsReportedAtOpen) {
  auto conn = std::make_shared<recording_connection>();
  session_outbox outbox{conn};
  for (std::size_t i = 0; i < session_outbox::max_held; ++i)
    outbox.deliver(batch_of({std::to_string(i)}));
  outbox.deliver(batch_of({"one too many"}));
  EXPECT_FALSE(outbox.open()) << "the session must tell its client that messages were lost";
  outbox.deliver(batch_of({"later"}));
  EXPECT_TRUE(payloads(*conn).empty()) << "all or nothing: no gap in the channel's order";
}

} // namespace
} // namespace chat::test
