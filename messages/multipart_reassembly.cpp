#include "messages/multipart_reassembly.hpp"

#include <algorithm>
#include <utility>
#include <variant>

namespace chat::v2 {

namespace {

using outcome_kind = part_outcome::kind;

part_outcome make_outcome(outcome_kind what, uint32_t id) {
  part_outcome out;
  out.what = what;
  out.id = id;
  return out;
}

// ERROR texts name the message, so that a sender with several in progress knows which one.
part_outcome refusal(uint32_t id, std::string_view reason) {
  auto out = make_outcome(outcome_kind::refused, id);
  out.error = "multi-part: message " + std::to_string(id) + ": " + std::string{reason};
  return out;
}

std::string out_of_range_reason(const part& p) {
  return "part " + std::to_string(p.index) + " out of range (count " + std::to_string(p.count) +
         ")";
}

} // namespace

// ---- spent_ids ------------------------------------------------------------------------------

bool spent_ids::spent(uint32_t id) const {
  if (!any_ || id > highest_) return false;
  if (highest_ - id >= window) return true;
  uint32_t slot = id % window;
  return (bits_[slot / 64] >> (slot % 64) & 1) != 0;
}

void spent_ids::see(uint32_t id) {
  if (any_ && id <= highest_) return;
  if (!any_ || id - highest_ >= window) {
    bits_.fill(0);
  } else { // the slots the window moves onto held ids `window` older: clear them
    for (uint32_t k = highest_; k != id;) {
      uint32_t slot = ++k % window;
      bits_[slot / 64] &= ~(uint64_t{1} << (slot % 64));
    }
  }
  any_ = true;
  highest_ = id;
}

void spent_ids::spend(uint32_t id) {
  if (!any_ || id > highest_ || highest_ - id >= window) return; // past the window: spent anyway
  uint32_t slot = id % window;
  bits_[slot / 64] |= uint64_t{1} << (slot % 64);
}

// ---- message_reassembly ---------------------------------------------------------------------

message_reassembly::message_reassembly(reassembly_limits limits) : limits_(std::move(limits)) {
  // The bookkeeping of the messages in progress, once: what comes and goes is only their bytes.
  messages_.reserve(std::min<std::size_t>(limits_.max_messages, 64));
}

message_reassembly::~message_reassembly() {
  if (limits_.budget) limits_.budget->release(held_bytes_);
}

part_outcome message_reassembly::add(std::string_view part_payload,
                                     reassembly_clock::time_point now) {
  auto decoded = decode_part(part_payload);
  if (auto* why = std::get_if<std::string>(&decoded)) {
    auto out = make_outcome(outcome_kind::malformed, 0);
    out.error = std::move(*why);
    return out;
  }
  return add(std::get<part>(decoded), now);
}

// With a server-wide budget, the part's bytes are reserved first; what the reassembly holds
// afterwards is settled against the reservation (a part that completes or refuses its message
// frees bytes). A part that does not fit refuses its message: whole or nothing, so a message in
// progress goes too, and its bytes with it.
part_outcome message_reassembly::add(const part& p, reassembly_clock::time_point now) {
  auto& budget = limits_.budget;
  if (!budget) return add_held(p, now);
  auto reserved = p.piece.size() + 1; // the piece, and the type byte it may carry
  if (!budget->reserve(reserved)) {
    auto found = find(p.id);
    if (found == messages_.end() && spent_.spent(p.id))
      return make_outcome(outcome_kind::late, p.id);
    auto before = held_bytes_;
    if (found != messages_.end()) drop(static_cast<std::size_t>(found - messages_.begin()));
    budget->release(before - held_bytes_);
    spent_.see(p.id);
    spent_.spend(p.id);
    return refusal(p.id, "the server holds its most of unfinished messages (" +
                             std::to_string(budget->most()) + " bytes); send it again later");
  }
  auto before = held_bytes_;
  auto out = add_held(p, now);
  budget->settle(reserved, before, held_bytes_);
  return out;
}

std::vector<message_reassembly::message>::iterator message_reassembly::find(uint32_t id) {
  return std::find_if(messages_.begin(), messages_.end(),
                      [id](const message& m) { return m.id == id; });
}

part_outcome message_reassembly::add_held(const part& p, reassembly_clock::time_point now) {
  auto found = find(p.id);
  if (found == messages_.end()) {
    if (spent_.spent(p.id)) return make_outcome(outcome_kind::late, p.id);
    return start(p, now);
  }
  auto at = static_cast<std::size_t>(found - messages_.begin());
  auto out = add_to(*found, p);
  if (out.what == outcome_kind::complete || out.what == outcome_kind::refused) {
    drop(at);
    spent_.spend(p.id);
  }
  return out;
}

// The first part of a message to arrive (any index): the message's own bounds, then room.
part_outcome message_reassembly::start(const part& p, reassembly_clock::time_point now) {
  std::optional<std::string> why;
  if (p.count < 2) {
    why = "needs at least 2 parts";
  } else if (p.count > limits_.max_parts) {
    why = "too many parts (at most " + std::to_string(limits_.max_parts) + ")";
  } else if (p.index >= p.count) {
    why = out_of_range_reason(p);
  } else {
    why = check_piece(p, 0);
  }
  part_outcome::dropped_message pushed_out;
  if (!why && messages_.size() >= limits_.max_messages && limits_.newest_wins &&
      !messages_.empty()) {
    auto oldest =
        std::min_element(messages_.begin(), messages_.end(),
                         [](const message& a, const message& b) { return a.started < b.started; });
    auto held = oldest->next + oldest->waiting.size();
    pushed_out = {oldest->id, "multi-part: message " + std::to_string(oldest->id) +
                                  ": dropped with " + std::to_string(held) + " of " +
                                  std::to_string(oldest->count) + " parts for a newer one"};
    spent_.spend(oldest->id);
    drop(static_cast<std::size_t>(oldest - messages_.begin()));
  }
  if (!why && messages_.size() >= limits_.max_messages)
    why = "too many messages in progress (at most " + std::to_string(limits_.max_messages) + ")";
  spent_.see(p.id);
  if (why) { // its later parts are late, not the start of another attempt
    spent_.spend(p.id);
    return refusal(p.id, *why);
  }
  auto& m = messages_.emplace_back();
  m.id = p.id;
  m.count = p.count;
  m.started = now;
  auto outcome = add_to(m, p); // with a count of at least 2, its first part never completes it
  outcome.pushed_out = std::move(pushed_out);
  return outcome;
}

// The checks of a part's own bytes, against the bytes its message holds already.
std::optional<std::string> message_reassembly::check_piece(const part& p, std::size_t held) const {
  if (p.piece.empty()) return "empty part";
  if (p.piece.size() > limits_.max_message - std::min(held, limits_.max_message))
    return "too large (at most " + std::to_string(limits_.max_message) + " bytes)";
  if (p.index == 0 && static_cast<uint8_t>(p.piece[0]) == part_type)
    return "a part may not carry a PART";
  return std::nullopt;
}

part_outcome message_reassembly::add_to(message& m, const part& p) {
  if (p.count != m.count) return refusal(p.id, "parts disagree");
  if (p.index >= m.count) return refusal(p.id, out_of_range_reason(p));
  if (p.index < m.next || m.waiting.count(p.index) != 0)
    return holds_same(m, p) ? make_outcome(outcome_kind::duplicate, p.id)
                            : refusal(p.id, "parts disagree");
  if (auto why = check_piece(p, m.held)) return refusal(p.id, *why);
  m.held += p.piece.size();
  held_bytes_ += p.piece.size();
  if (p.index != m.next) {
    m.waiting.emplace(p.index, std::string{p.piece});
    return make_outcome(outcome_kind::incomplete, p.id);
  }
  append(m, p.piece);
  while (!m.waiting.empty() && m.waiting.begin()->first == m.next) { // a gap closed
    append(m, m.waiting.begin()->second);
    m.waiting.erase(m.waiting.begin());
  }
  if (m.next < m.count) return make_outcome(outcome_kind::incomplete, p.id);
  auto out = make_outcome(outcome_kind::complete, p.id);
  out.message = inbound_frame{m.type, std::move(m.payload)};
  return out;
}

bool message_reassembly::holds_same(const message& m, const part& p) const {
  if (p.index >= m.next) return m.waiting.at(p.index) == p.piece;
  std::size_t begin = p.index == 0 ? 0 : m.ends[p.index - 1];
  std::size_t size = m.ends[p.index] - begin;
  if (p.piece.size() != size) return false;
  std::string_view joined = m.payload; // the body without its type byte
  if (p.index != 0) return joined.substr(begin - 1, size) == p.piece;
  return static_cast<uint8_t>(p.piece[0]) == m.type &&
         joined.substr(0, size - 1) == p.piece.substr(1);
}

// Joins the next part in place. The payload grows with the bytes that arrive (doubling, so
// each byte is copied a bounded number of times), never past max_message.
void message_reassembly::append(message& m, std::string_view piece) {
  if (m.next == 0) {
    m.type = static_cast<uint8_t>(piece[0]);
    piece.remove_prefix(1);
  }
  std::size_t need = m.payload.size() + piece.size();
  if (need > m.payload.capacity())
    m.payload.reserve(std::max(need, std::min(2 * m.payload.capacity(), limits_.max_message)));
  m.payload.append(piece);
  m.ends.push_back(1 + m.payload.size());
  ++m.next;
}

void message_reassembly::drop(std::size_t at) {
  held_bytes_ -= messages_[at].held;
  if (at + 1 != messages_.size()) std::swap(messages_[at], messages_.back());
  messages_.pop_back(); // frees every byte the dropped message held
}

std::vector<expired_message> message_reassembly::expire(reassembly_clock::time_point now) {
  std::vector<expired_message> out;
  // In the order the messages started, so their ERRORs do too (drop() reorders messages_):
  // the ones whose time is up are then the first k. std::sort, not stable_sort: it works in
  // place, where stable_sort takes a buffer, and expiring must allocate nothing.
  std::sort(messages_.begin(), messages_.end(), [](const message& a, const message& b) {
    return a.started != b.started ? a.started < b.started : a.id < b.id;
  });
  std::size_t k = 0;
  for (; k < messages_.size() && now - messages_[k].started >= limits_.timeout; ++k) {
    const auto& m = messages_[k];
    auto held = static_cast<uint16_t>(m.next + m.waiting.size());
    out.push_back({m.id, held, m.count,
                   "multi-part: message " + std::to_string(m.id) + ": timed out with " +
                       std::to_string(held) + " of " + std::to_string(m.count) + " parts"});
    spent_.spend(m.id);
    held_bytes_ -= m.held;
    if (limits_.budget) limits_.budget->release(m.held);
  }
  messages_.erase(messages_.begin(), messages_.begin() + static_cast<std::ptrdiff_t>(k));
  return out;
}

std::optional<reassembly_clock::time_point> message_reassembly::next_expiry() const {
  std::optional<reassembly_clock::time_point> first;
  for (const auto& m : messages_)
    if (!first || m.started < *first) first = m.started;
  if (first) *first += limits_.timeout;
  return first;
}

} // namespace chat::v2
