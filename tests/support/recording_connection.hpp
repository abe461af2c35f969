// recording_connection.hpp -- a transport::connection that records instead of writing, so actor
// tests can see exactly which frames a session sent and whether it closed its connection.
#pragma once

#include "messages/frame_decoder.hpp"
#include "transport/connection.hpp"

#include <atomic>
#include <mutex>
#include <ostream>
#include <utility>
#include <vector>

namespace chat {

// GoogleTest prints frames as "BROADCAST_MSG \"ann: hi\"" instead of a byte dump.
inline void PrintTo(const inbound_frame& f, std::ostream* os) {
  *os << frame_type_name(f.type) << " \"" << f.payload << '"';
}

} // namespace chat

namespace chat::test {

class recording_connection : public transport::connection {
public:
  void send(frame f) override {
    std::lock_guard<std::mutex> guard{mutex_};
    sent_.push_back(std::move(f));
  }
  void send(const frame_batch& batch) override {
    std::lock_guard<std::mutex> guard{mutex_};
    for (auto& f : frames(batch))
      sent_.push_back(f);
  }
  void close() override {
    std::lock_guard<std::mutex> guard{mutex_};
    closed_ = true;
  }
  void frame_done() override { ++frames_done_; }
  std::string peer() const override { return "test-peer"; }
  traffic counters() const override { return {}; }

  // How many received frames the owner has reported handled.
  std::size_t frames_done() const { return frames_done_; }

  bool closed() {
    std::lock_guard<std::mutex> guard{mutex_};
    return closed_;
  }

  // Everything sent so far, decoded; the record is emptied.
  std::vector<inbound_frame> take() {
    std::lock_guard<std::mutex> guard{mutex_};
    std::vector<inbound_frame> out;
    frame_decoder decoder;
    for (auto& f : sent_)
      decoder.feed(bytes(f).data(), bytes(f).size(), [&out](uint8_t type, std::string_view p) {
        out.push_back({type, std::string{p}});
      });
    sent_.clear();
    return out;
  }

  // The frames themselves (to check that bytes are shared, not copied); the record is emptied.
  std::vector<frame> take_raw() {
    std::lock_guard<std::mutex> guard{mutex_};
    return std::exchange(sent_, {});
  }

private:
  std::mutex mutex_;
  std::vector<frame> sent_;
  bool closed_ = false;
  std::atomic<std::size_t> frames_done_{0};
};

inline inbound_frame in(frame_type t, std::string payload) {
  return {static_cast<uint8_t>(t), std::move(payload)};
}

} // namespace chat::test
