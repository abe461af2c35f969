// udp_endpoint_peers.cpp -- what one datagram means (docs/PROTOCOL.md "Datagrams (UDP)"): the
// frames of a session's DATA, its CLOSE, or, from a peer without a session (or with another
// cookie), whatever answer_unverified() decides: nothing, a COOKIE, or a new session admitted
// under --max-connections. Runs on the endpoint's strand, one datagram at a time.
#include "transport/udp_endpoint.hpp"

#include "transport/udp_gate.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <exception>
#include <sstream>

namespace chat::transport {

namespace {

// The peer as its cookie names it: an IPv4-mapped IPv6 address (a dual-stack socket's view of an
// IPv4 client) is that IPv4 address, so the client has one identity whichever way it came.
udp::peer udp_identity_of(const asio::ip::udp::endpoint& from) {
  auto address = from.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  if (address.is_v4()) return udp::peer::v4(address.to_v4().to_bytes(), from.port());
  return udp::peer::v6(address.to_v6().to_bytes(), from.port());
}

// The cookie of a DATA or CLOSE whose header is sound, read before the rest is judged: a
// session's own DATA with malformed frames is answered, where anyone else's is not.
std::optional<udp::cookie> udp_session_cookie(std::string_view bytes) {
  if (bytes.size() < udp::datagram_header_size + udp::cookie_size) return std::nullopt;
  if (static_cast<uint8_t>(bytes[0]) != udp::datagram_magic ||
      static_cast<uint8_t>(bytes[1]) != udp::datagram_version)
    return std::nullopt;
  auto kind = static_cast<uint8_t>(bytes[2]);
  if (kind != static_cast<uint8_t>(udp::datagram_kind::data) &&
      kind != static_cast<uint8_t>(udp::datagram_kind::close))
    return std::nullopt;
  udp::cookie c{};
  std::copy_n(bytes.begin() + udp::datagram_header_size, c.size(), c.begin());
  return c;
}

std::string udp_address_text(const asio::ip::udp::endpoint& from) {
  std::ostringstream out;
  out << from;
  return out.str();
}

} // namespace

void udp_endpoint::on_datagram(std::string_view bytes, const asio::ip::udp::endpoint& from) {
  auto who = udp_identity_of(from);
  if (auto session = find(who); session && from_session(*session, bytes)) return;
  unverified(bytes, from, who);
}

// True if the datagram was the session's: a DATA or CLOSE with exactly its cookie. Anything
// else from its address (a HELLO, another cookie) is judged as if it had no session.
bool udp_endpoint::from_session(udp_connection& c, std::string_view bytes) {
  auto cookie = udp_session_cookie(bytes);
  if (!cookie || !c.has_cookie(*cookie)) return false;
  auto decoded = udp::decode_datagram(bytes, datagram_limits_);
  if (auto* fault = std::get_if<udp::datagram_fault>(&decoded)) {
    stats_.count(udp_drop_of(*fault));
    bool frames_fault =
        *fault == udp::datagram_fault::no_frames || *fault == udp::datagram_fault::bad_frame;
    if (frames_fault && options_.malformed_notice) {
      // Nothing in the DATA is handled; the damage is one datagram, so the session stays.
      spdlog::debug("udp: malformed DATA from peer={}: {}", c.peer(),
                    udp::datagram_fault_text(*fault));
      stats_.malformed_notices.fetch_add(1, udp_stats::relaxed);
      c.send(*options_.malformed_notice);
    }
    return true;
  }
  auto& d = std::get<udp::datagram>(decoded);
  if (d.kind == udp::datagram_kind::close) {
    c.peer_closed();
  } else if (!c.first_time(d.sequence)) {
    stats_.count(udp_drop::replayed); // the network's copy, or a replay: handled once only
  } else if (!c.deliver(d.frames, bytes.size())) {
    stats_.count(udp_drop::unhandled);
  }
  return true;
}

void udp_endpoint::unverified(std::string_view bytes, const asio::ip::udp::endpoint& from,
                              const udp::peer& who) {
  auto answer =
      udp::answer_unverified(bytes, who, udp::cookie_clock::now(), jar_, datagram_limits_);
  switch (answer.what) {
  case udp::gate_answer::verdict::drop:
    if (answer.malformed)
      stats_.count(udp_drop_of(answer.fault));
    else if (answer.check == udp::cookie_check::forged)
      stats_.count(udp_drop::forged_cookie);
    else if (answer.check == udp::cookie_check::expired)
      stats_.count(udp_drop::expired_cookie);
    else
      stats_.count(udp_drop::no_session);
    return;
  case udp::gate_answer::verdict::reply: {
    // A COOKIE of 31 bytes, only ever for a datagram at least that large: no amplification.
    // Counted first: whoever reads the count after the COOKIE arrived finds it counted.
    stats_.cookies_sent.fetch_add(1, udp_stats::relaxed);
    auto reply = answer.reply_bytes();
    iovec part{const_cast<char*>(reply.data()), reply.size()};
    send_datagram(from, &part, 1);
    return;
  }
  case udp::gate_answer::verdict::open:
    return admit(from, who, answer, bytes.size());
  }
}

// The peer has proven its address. A session of its own with another cookie means it started
// over (PROTOCOL.md): that one ends, and its slot goes to the new one.
void udp_endpoint::admit(const asio::ip::udp::endpoint& from, const udp::peer& who,
                         const udp::gate_answer& opened, std::size_t size) {
  const auto& c = opened.cookie;
  if (stopping_) return stats_.count(udp_drop::stopping);
  auto old = find(who);
  bool slot = old && old->hand_over_slot();
  if (!slot && !policy_.slots->try_take()) return refuse(from, c);
  if (old) old->end_replaced();
  if (refused_ > 0) {
    spdlog::info("udp: admitting again after refusing {} peers", refused_);
    refused_ = 0;
  }
  udp_connection_limits limits{options_.max_datagram, options_.max_message,
                               limits_.max_outbound_bytes, limits_.max_unhandled_frames};
  auto conn =
      std::make_shared<udp_connection>(shared_from_this(), from, who, c, policy_.slots, limits);
  std::size_t open = 0;
  {
    std::lock_guard<std::mutex> guard{peers_mutex_};
    peers_[who] = conn;
    open = peers_.size();
  }
  stats_.sessions_opened.fetch_add(1, udp_stats::relaxed);
  spdlog::debug("open peer={} udp_sessions={}", conn->peer(), open);
  try {
    conn->start(on_accept_(conn));
  } catch (const std::exception& e) { // no owner: nothing would ever end the session
    spdlog::error("udp: no session for peer={}: {}", conn->peer(), e.what());
    return conn->abort("no session");
  }
  // The window starts at the DATA that opened the session (a 0 opens it and is not handled).
  if (!conn->first_time(opened.sequence)) return stats_.count(udp_drop::replayed);
  if (!conn->deliver(opened.frames, size)) stats_.count(udp_drop::unhandled);
}

// Past --max-connections: DATA {C, ERROR "server full"}, then CLOSE {C}; nothing is kept. The
// peer has proven its address, so this answer may be larger than what it sent.
void udp_endpoint::refuse(const asio::ip::udp::endpoint& from, const udp::cookie& c) {
  if (refused_++ == 0)
    spdlog::warn("server full: refusing UDP peer {} ({} open, --max-connections={})",
                 udp_address_text(from), policy_.slots->taken(), policy_.slots->limit());
  stats_.count(udp_drop::server_full);
  auto prefix = udp::encode_data_prefix(c);
  if (policy_.refusal && prefix.size() + bytes(*policy_.refusal).size() <= options_.max_datagram) {
    const auto& refusal = bytes(*policy_.refusal);
    std::array<iovec, 2> data{iovec{prefix.data(), prefix.size()},
                              iovec{const_cast<char*>(refusal.data()), refusal.size()}};
    send_datagram(from, data.data(), data.size());
  }
  auto close = udp::encode_close(c);
  iovec part{close.data(), close.size()};
  send_datagram(from, &part, 1);
}

} // namespace chat::transport
