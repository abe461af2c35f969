// v2_raw.hpp -- version-2 helpers for the raw-socket client of reliability_support.hpp: frames
// encoded with the project's codec, HELLO and LOGIN, and bounded waits for one frame type.
// Used by the cluster and history process tests.
#pragma once

#include "messages/protocol_v2.hpp"
#include "tests/process/reliability_support.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace chat::reliability {

template <class T> bool send_v2(raw_client& c, const T& value) {
  auto f = v2::encode(value);
  return c.send_bytes(std::string(chat::bytes(f).begin(), chat::bytes(f).end()));
}

// HELLO, LOGIN; true once both are answered as they should be.
inline testing::AssertionResult v2_login(raw_client& c, const std::string& name) {
  if (!send_v2(c, v2::hello_request{v2::version}))
    return testing::AssertionFailure() << "HELLO not sent";
  auto hello = c.read_frame();
  if (!hello || hello->type != static_cast<uint8_t>(v2::type::hello))
    return testing::AssertionFailure() << "no HELLO reply: " << c.failure();
  return log_in(c, name);
}

// The next frame of `type`, skipping others (presence, replies) for up to `timeout` in all.
inline std::optional<frame> next_of(raw_client& c, v2::type t, milliseconds timeout = io_timeout) {
  auto deadline = clock_type::now() + timeout;
  while (clock_type::now() < deadline) {
    auto f = c.read_frame(std::chrono::duration_cast<milliseconds>(deadline - clock_type::now()));
    if (!f) return std::nullopt;
    if (f->type == static_cast<uint8_t>(t)) return f;
  }
  return std::nullopt;
}

} // namespace chat::reliability
