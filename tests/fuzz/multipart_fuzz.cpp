// multipart_fuzz.cpp -- libFuzzer target: one message_reassembly
// (messages/multipart_reassembly.hpp) fed arbitrary PART payloads, replayed parts and clock steps,
// checked against a model of what it accepted. Built only with CHAT_FUZZ=ON (clang).
//
// Input: [c][records]. c sets the bounds: max_parts 2 + (c & 15), max_message 16 << (c >> 4 & 3),
// max_messages 1 + (c >> 6); the timeout is 1 s. Each record starts with an op byte:
//   op % 4 == 0  [n][n bytes]                   a raw PART payload
//   op % 4 == 1  [id][index][count][n][n bytes] a PART built from small fields (op >> 2 adds
//                                               to the id's high byte: a few ids collide often)
//   op % 4 == 2                                 the clock moves (op >> 2) x 50 ms, then expire()
//   op % 4 == 3                                 an earlier payload again (a duplicated datagram)
//
// Invariants: held_bytes() is what the model says was accepted and not yet finished, never more
// than max_messages x max_message; no message completes twice; a completed message is its
// accepted parts in index order, byte for byte (so its size is the sum of its parts), each
// index once; duplicates were held with those bytes; nothing outlives the timeout. Every broken
// invariant ends in __builtin_trap(), so libFuzzer keeps the input.
#include "messages/multipart.hpp"
#include "messages/multipart_reassembly.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace {

namespace v2 = chat::v2;
using kind = v2::part_outcome::kind;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

struct input {
  const uint8_t* at;
  const uint8_t* end;
  bool empty() const { return at == end; }
  uint8_t byte() { return at == end ? 0 : *at++; }
  std::string bytes(std::size_t n) {
    n = std::min<std::size_t>(n, end - at);
    std::string s{reinterpret_cast<const char*>(at), n};
    at += n;
    return s;
  }
};

// What the reassembly accepted, per message in progress: its pieces by index.
struct model {
  std::map<uint32_t, std::map<uint16_t, std::string>> held;
  std::set<uint32_t> completed;

  std::size_t held_bytes() const {
    std::size_t n = 0;
    for (const auto& [id, pieces] : held)
      for (const auto& [index, piece] : pieces)
        n += piece.size();
    return n;
  }
};

void check_outcome(model& m, const std::string& payload, const v2::part_outcome& out) {
  if (out.what == kind::malformed) {
    check(payload.size() < v2::part_header_size && !out.error.empty());
    return;
  }
  auto p = std::get<v2::part>(v2::decode_part(payload));
  check(out.id == p.id);
  auto found = m.held.find(p.id);
  switch (out.what) {
  case kind::incomplete:
    check(!p.piece.empty());
    check(found == m.held.end() || found->second.count(p.index) == 0);
    m.held[p.id][p.index] = std::string{p.piece};
    break;
  case kind::complete: {
    check(found != m.held.end() && found->second.count(p.index) == 0);
    found->second[p.index] = std::string{p.piece};
    check(found->second.size() == p.count);
    std::string body;
    for (const auto& [index, piece] : found->second)
      body += piece;
    check(body.size() == 1 + out.message.payload.size());
    check(static_cast<uint8_t>(body[0]) == out.message.type && out.message.type != v2::part_type);
    check(std::string_view{body}.substr(1) == out.message.payload);
    check(m.completed.insert(p.id).second); // nothing completes twice
    m.held.erase(found);
    break;
  }
  case kind::duplicate:
    check(found != m.held.end() && found->second.count(p.index) == 1);
    check(found->second.at(p.index) == p.piece);
    break;
  case kind::late:
    check(found == m.held.end());
    break;
  case kind::refused:
    check(out.error.rfind("multi-part: message " + std::to_string(p.id) + ": ", 0) == 0);
    if (found != m.held.end()) m.held.erase(found);
    break;
  case kind::malformed:
    check(false);
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  input in{data, data + size};
  uint8_t c = in.byte();
  v2::reassembly_limits limits{std::size_t{16} << (c >> 4 & 3), static_cast<uint16_t>(2 + (c & 15)),
                               std::size_t{1} + (c >> 6), std::chrono::seconds{1}};
  // A server-wide budget too large to refuse anything: what it counts must follow held_bytes().
  auto budget = std::make_shared<v2::reassembly_budget>(std::size_t{1} << 30);
  limits.budget = budget;
  auto owned = std::make_unique<v2::message_reassembly>(limits);
  auto& r = *owned;
  model m;
  auto now = v2::reassembly_clock::time_point{} + std::chrono::hours{1};
  std::vector<std::string> sent; // every payload so far, for replays
  while (!in.empty()) {
    uint8_t op = in.byte();
    std::string payload;
    switch (op % 4) {
    case 0:
      payload = in.bytes(in.byte());
      break;
    case 1: {
      uint32_t id = in.byte() | static_cast<uint32_t>(op >> 2) << 8;
      auto index = static_cast<uint16_t>(in.byte());
      auto count = static_cast<uint16_t>(in.byte());
      auto piece = in.bytes(in.byte());
      auto f = v2::encode_part({id, index, count, piece});
      payload = std::string{chat::payload_of(f)};
      break;
    }
    case 2: {
      now += std::chrono::milliseconds{50} * (op >> 2);
      for (const auto& gone : r.expire(now)) {
        auto found = m.held.find(gone.id);
        check(found != m.held.end() && found->second.size() == gone.held);
        check(!gone.error.empty());
        m.held.erase(found);
      }
      auto next = r.next_expiry();
      check(next.has_value() == (r.messages_in_progress() > 0));
      check(!next || *next > now);
      break;
    }
    case 3:
      if (sent.empty()) continue;
      payload = sent[(op >> 2) % sent.size()];
      break;
    }
    if (op % 4 != 2) {
      check_outcome(m, payload, r.add(payload, now));
      sent.push_back(std::move(payload));
    }
    check(r.messages_in_progress() == m.held.size());
    check(r.messages_in_progress() <= limits.max_messages);
    check(r.held_bytes() == m.held_bytes());
    check(r.held_bytes() <= limits.max_messages * limits.max_message);
    check(budget->held() == r.held_bytes());
  }
  if (size % 2 == 0) { // the session ends with messages in progress, or they time out
    owned.reset();
    check(budget->held() == 0);
    return 0;
  }
  r.expire(now + limits.timeout);
  check(r.held_bytes() == 0 && r.messages_in_progress() == 0);
  check(budget->held() == 0);
  return 0;
}
