#include "actors/multipart_connection.hpp"

#include "messages/channel_name.hpp"
#include "messages/frame_encoder.hpp"
#include "messages/multipart.hpp"
#include "messages/protocol_v2.hpp"

#include <algorithm>
#include <array>
#include <mutex>
#include <string>

namespace chat {

namespace {

// A channel sends one large frame to many members: the first member's connection cuts it and
// the others reuse the parts, so a 1 MiB message costs one split, not one per member (the
// one-encode rule). Ids come from one counter for the whole server: every connection sees the
// server's ids rise (with gaps), which the receiver's spent-id window takes, and one set of
// parts can go to every member. The memo pins the frames it remembers, so an address it
// compares is never reused for another frame while it is there; it holds two at most.
class split_memo {
public:
  std::vector<frame> parts(const frame& whole, std::size_t max_part_body) {
    std::lock_guard<std::mutex> guard{mutex_};
    for (auto& e : entries_)
      if (e && bytes(e->whole).data() == bytes(whole).data() && e->max_part_body == max_part_body)
        return e->parts;
    v2::message_splitter::limits limits;
    limits.max_part_body = max_part_body;
    limits.max_message = bytes(whole).size(); // bounded by the sender's --max-message already
    limits.max_parts = 0xFFFF;
    auto split = v2::message_splitter{limits, next_id_++}.split(type_of(whole), payload_of(whole));
    auto* parts = std::get_if<std::vector<frame>>(&split);
    if (parts == nullptr) return {};
    entries_[next_entry_] = entry{whole, max_part_body, std::move(*parts)};
    auto& made = entries_[next_entry_]->parts;
    next_entry_ = (next_entry_ + 1) % entries_.size();
    return made;
  }

private:
  struct entry {
    frame whole;
    std::size_t max_part_body;
    std::vector<frame> parts;
  };
  std::mutex mutex_;
  std::array<std::optional<entry>, 2> entries_;
  std::size_t next_entry_ = 0;
  uint32_t next_id_ = 0;
};

split_memo& memo() {
  static split_memo m;
  return m;
}

std::string what_was_sent(const frame& f) {
  auto payload = payload_of(f);
  switch (type_of(f)) {
  case static_cast<uint8_t>(v2::type::msg): {
    auto decoded = v2::decode_msg_delivery(payload);
    if (auto* m = std::get_if<v2::msg_delivery>(&decoded))
      return "a message from " + m->sender + " in " + m->channel;
    break;
  }
  case static_cast<uint8_t>(v2::type::dm): {
    auto decoded = v2::decode_dm_delivery(payload);
    if (auto* d = std::get_if<v2::dm_delivery>(&decoded))
      return "a direct message from " + d->sender;
    break;
  }
  case static_cast<uint8_t>(frame_type::broadcast_msg): {
    auto colon = payload.find(": ");
    if (colon != std::string_view::npos)
      return "a message from " + std::string{payload.substr(0, colon)} + " in " +
             std::string{default_channel};
    break;
  }
  default:
    break;
  }
  return "a " + frame_type_name(type_of(f));
}

} // namespace

frame not_delivered_notice(const frame& f) {
  return encode(frame_type::error, "not delivered: " + what_was_sent(f) + " (" +
                                       std::to_string(payload_of(f).size() + 1) +
                                       " bytes) is too long for this client");
}

bool multipart_connection::too_large(const frame& f) const {
  return bytes(f).size() - header_size > max_frame_;
}

std::vector<frame> multipart_connection::fitted(const frame& f) const {
  if (parts_.load(std::memory_order_acquire)) {
    auto parts = memo().parts(f, max_frame_);
    if (!parts.empty()) return parts;
  }
  return {not_delivered_notice(f)};
}

void multipart_connection::send(frame f) {
  if (!too_large(f) || wire_->carries_large_frames()) return wire_->send(std::move(f));
  auto frames = fitted(f);
  if (frames.size() == 1) return wire_->send(std::move(frames.front()));
  wire_->send(frame_batch{std::move(frames)});
}

void multipart_connection::send(const frame_batch& batch) {
  const auto& all = chat::frames(batch);
  bool fits = wire_->carries_large_frames() ||
              std::none_of(all.begin(), all.end(), [this](const frame& f) { return too_large(f); });
  if (fits) return wire_->send(batch);
  std::vector<frame> out;
  out.reserve(all.size());
  for (const auto& f : all) {
    if (!too_large(f)) {
      out.push_back(f);
      continue;
    }
    auto parts = fitted(f);
    out.insert(out.end(), std::make_move_iterator(parts.begin()),
               std::make_move_iterator(parts.end()));
  }
  wire_->send(frame_batch{std::move(out)});
}

} // namespace chat
