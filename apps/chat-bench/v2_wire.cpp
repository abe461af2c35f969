#include "apps/chat-bench/v2_wire.hpp"

namespace chat::bench::wire {

namespace {

// Frame types of docs/PROTOCOL.md "Version 2" (messages/protocol_v2.hpp: type::msg, type::dm);
// repeated here so that the pure parts need not link the codec.
constexpr uint8_t msg_type = 10;
constexpr uint8_t dm_type = 11;

void put_u32(std::vector<char>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void put_str8(std::vector<char>& out, std::string_view s) {
  out.push_back(static_cast<char>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

// MSG and DM requests have the same fields: u32 ref, str8 channel or to, text.
void append_request(std::vector<char>& out, uint8_t type, uint32_t ref, std::string_view name,
                    std::string_view text) {
  auto payload = 4 + 1 + name.size() + 4 + text.size();
  put_u32(out, static_cast<uint32_t>(payload + 1)); // body_len: the type byte and the payload
  out.push_back(static_cast<char>(type));
  put_u32(out, ref);
  put_str8(out, name);
  put_u32(out, static_cast<uint32_t>(text.size()));
  out.insert(out.end(), text.begin(), text.end());
}

// Reads fields off the front of a payload; after the first failure every read fails.
class reader {
public:
  explicit reader(std::string_view payload) : rest_(payload) {}

  bool u8(uint8_t& out) {
    if (!ok_ || rest_.empty()) return ok_ = false;
    out = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return true;
  }
  bool u32(uint32_t& out) {
    if (!ok_ || rest_.size() < 4) return ok_ = false;
    out = 0;
    for (int i = 3; i >= 0; --i)
      out = (out << 8) | static_cast<uint8_t>(rest_[static_cast<std::size_t>(i)]);
    rest_.remove_prefix(4);
    return true;
  }
  bool u16(uint32_t& out) {
    uint8_t lo = 0, hi = 0;
    if (!u8(lo) || !u8(hi)) return false;
    out = static_cast<uint32_t>(lo | (hi << 8));
    return true;
  }
  bool bytes(uint32_t n, std::string_view& out) {
    if (!ok_ || rest_.size() < n) return ok_ = false;
    out = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return true;
  }
  bool str8(std::string_view& out) {
    uint8_t n = 0;
    return u8(n) && bytes(n, out);
  }
  bool str16(std::string_view& out) {
    uint32_t n = 0;
    return u16(n) && bytes(n, out);
  }
  bool text(std::string_view& out) {
    uint32_t n = 0;
    return u32(n) && bytes(n, out);
  }
  bool u64(uint64_t& out) {
    uint32_t lo = 0, hi = 0;
    if (!u32(lo) || !u32(hi)) return false;
    out = static_cast<uint64_t>(hi) << 32 | lo;
    return true;
  }
  bool done() const { return ok_ && rest_.empty(); }

private:
  std::string_view rest_;
  bool ok_ = true;
};

} // namespace

void append_msg(std::vector<char>& out, uint32_t ref, std::string_view channel,
                std::string_view text) {
  append_request(out, msg_type, ref, channel, text);
}

void append_dm(std::vector<char>& out, uint32_t ref, std::string_view to, std::string_view text) {
  append_request(out, dm_type, ref, to, text);
}

std::optional<msg_view> read_msg(std::string_view payload) {
  reader r{payload};
  msg_view v;
  r.str8(v.channel);
  r.str8(v.sender);
  r.text(v.text);
  r.u64(v.offset);
  if (!r.done()) return std::nullopt;
  return v;
}

std::optional<dm_view> read_dm(std::string_view payload) {
  reader r{payload};
  dm_view v;
  r.str8(v.sender);
  r.text(v.text);
  if (!r.done()) return std::nullopt;
  return v;
}

std::optional<reply_view> read_reply(std::string_view payload) {
  reader r{payload};
  reply_view v;
  uint8_t status = 1;
  r.u32(v.ref);
  r.u8(status);
  r.str16(v.text);
  if (!r.done()) return std::nullopt;
  v.ok = status == 0;
  return v;
}

} // namespace chat::bench::wire
