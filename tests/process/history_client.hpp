// history_client.hpp -- what the history process tests do as a client, over the raw socket of
// reliability_support.hpp: JOIN's long form, reading MSG and REPLY, saying numbered lines,
// logging in again after a drop. Used by history_test.cpp and data_dir_test.cpp.
#pragma once

#include "tests/process/v2_raw.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

namespace chat::reliability {

// Sends JOIN's long form and returns its JOINED (other frames before it are skipped).
inline std::optional<v2::joined_reply> join(raw_client& c, uint32_t ref, const std::string& channel,
                                            chat::replay_request ask) {
  if (!send_v2(c, v2::join_request{ref, channel, ask})) return std::nullopt;
  auto f = next_of(c, v2::type::joined);
  if (!f) return std::nullopt;
  return std::get<v2::joined_reply>(v2::decode_joined_reply(f->payload));
}

inline chat::replay_request none() {
  return {chat::replay_mode::none, 0, 0, 0};
}
inline chat::replay_request since(uint64_t epoch, uint64_t offset, uint32_t count = 0) {
  return {chat::replay_mode::since, epoch, offset, count};
}

// The next MSG delivery, skipping presence; nothing on timeout.
inline std::optional<v2::msg_delivery> next_msg(raw_client& c, milliseconds timeout = io_timeout) {
  auto f = next_of(c, v2::type::msg, timeout);
  if (!f) return std::nullopt;
  return std::get<v2::msg_delivery>(v2::decode_msg_delivery(f->payload));
}

// The next REPLY; nothing on timeout.
inline std::optional<v2::reply> next_reply(raw_client& c) {
  auto f = next_of(c, v2::type::reply);
  if (!f) return std::nullopt;
  return std::get<v2::reply>(v2::decode_reply(f->payload));
}

// Logs `name` in, retrying while the name is still held by a connection that just dropped.
inline testing::AssertionResult login_again(std::unique_ptr<raw_client>& c, uint16_t port,
                                            const std::string& name) {
  auto deadline = clock_type::now() + io_timeout;
  for (;;) {
    c = std::make_unique<raw_client>(port);
    auto ok = v2_login(*c, name);
    if (ok || clock_type::now() >= deadline) return ok;
  }
}

// Sends `n` messages and reads each one back (the server's echo to the sender), so all of them
// were accepted and delivered before the caller goes on. Returns the last offset.
inline uint64_t say(raw_client& c, const std::string& channel, const std::string& prefix, int n) {
  uint64_t last = 0;
  for (int i = 1; i <= n; ++i) {
    EXPECT_TRUE(
        send_v2(c, v2::msg_request{static_cast<uint32_t>(i), channel, prefix + std::to_string(i)}));
    auto m = next_msg(c);
    EXPECT_TRUE(m) << c.failure();
    if (!m) return last;
    EXPECT_EQ(m->text, prefix + std::to_string(i));
    last = m->offset;
  }
  return last;
}

} // namespace chat::reliability
