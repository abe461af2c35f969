// udp_connection.hpp -- one verified UDP peer as the transport::connection of its session actor
// (docs/PROTOCOL.md "Datagrams (UDP)"): frames out packed into DATAs (PARTs when too large), frames
// in from the endpoint. Made by udp_endpoint when a peer's cookie verifies; owned by the session.
#pragma once

#include "messages/interfaces.hpp"
#include "messages/multipart.hpp"
#include "transport/connection.hpp"
#include "transport/connection_slots.hpp"
#include "transport/udp_datagram.hpp"
#include "transport/udp_packer.hpp"
#include "transport/udp_replay_window.hpp"

#include <boost/asio.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace chat::transport {

namespace asio = boost::asio;

class udp_endpoint;

struct udp_connection_limits {
  std::size_t max_datagram = udp::default_max_datagram; // --udp-max-datagram
  // The largest frame body the owner sends (over UDP a session sends up to --max-message, or
  // --max-frame if larger): such a frame is cut into PART frames, one per datagram.
  std::size_t max_message = v2::default_max_message;
  // Bytes queued for the socket and not yet taken by it: only ever long while the I/O thread
  // is behind. Past it a send is dropped (the peer cannot push back on UDP, so there is no slow
  // consumer to cut; what is lost is what the protocol's own answers recover, as any loss).
  std::size_t max_outbound_bytes = 1 << 20;
  // Frames handed to the owner and not yet handled: past it a DATA is dropped whole, where TCP
  // would stop reading. UDP has no back-pressure to give a peer that sends faster than its
  // session handles; dropping bounds the owner's mailbox instead.
  uint32_t max_unhandled_frames = 256;
};

class udp_connection final : public connection,
                             public std::enable_shared_from_this<udp_connection> {
public:
  // `address` is where the peer's datagrams came from (as the socket reported it, so replies go
  // out through the same family); `identity` is the same peer as its cookie names it. The
  // connection holds a slot of `slots` until it ends (or hands it to the peer's next session).
  udp_connection(std::shared_ptr<udp_endpoint> endpoint, const asio::ip::udp::endpoint& address,
                 const udp::peer& identity, const udp::cookie& cookie,
                 std::shared_ptr<connection_slots> slots, const udp_connection_limits& limits);
  ~udp_connection() override;

  // Hands the connection to its owner. Once, by the endpoint, before the first deliver().
  void start(connection_owner owner);

  void send(frame f) override;
  void send(const frame_batch& batch) override;
  // Graceful: what is queued goes out, then CLOSE {cookie}; the slot is free again and the owner
  // hears closed_atom. Idempotent.
  void close() override;
  void frame_done() override;
  bool carries_large_frames() const override { return true; }
  std::string peer() const override;
  traffic counters() const override;

  // -- the endpoint's side, on its strand ------------------------------------------------------

  const udp::peer& identity() const { return identity_; }
  // Whether `c` is this session's cookie, compared in constant time.
  bool has_cookie(const udp::cookie& c) const;
  // Whether a DATA with this sequence number is new: false for a copy already seen (or one too
  // old to tell), which the endpoint drops unhandled.
  bool first_time(uint64_t sequence) { return seen_.accept(sequence); }
  // The frames of one DATA that decode_datagram accepted (`size` bytes on the wire), handed to
  // the owner in order; false if the DATA was dropped whole because too many are unhandled.
  bool deliver(std::string_view frames, std::size_t size);
  // The peer sent CLOSE: the session ends, and nothing is said back.
  void peer_closed();
  // The peer started over with a new cookie: the new session takes this one's slot (true if it
  // still held one), and this one ends without a word (its peer no longer holds its cookie).
  bool hand_over_slot();
  void end_replaced();
  // Ends now: what is queued is dropped, CLOSE still goes (shutdown timeout, tests).
  void abort(std::string reason);

  // Nanoseconds (steady clock) of the peer's last DATA; for the idle sweep.
  int64_t last_read_ns() const { return last_read_ns_.load(std::memory_order_relaxed); }
  // When the idle sweep last probed this peer (endpoint strand only).
  int64_t idle_probe_ns = 0;

private:
  template <class Frames> void enqueue(const Frames& frames);
  void flush();                                    // strand: what is queued, packed into DATAs
  void finish(std::string reason, bool say_close); // strand; idempotent
  void tell_owner(std::string reason);

  const std::shared_ptr<udp_endpoint> endpoint_; // its socket outlives every connection
  const asio::ip::udp::endpoint address_;
  const udp::peer identity_;
  const udp::cookie cookie_;
  const std::string peer_text_;
  const std::shared_ptr<connection_slots> slots_;
  const udp_connection_limits limits_;
  asio::strand<asio::any_io_executor> strand_;
  std::atomic<bool> slot_held_{true};

  std::mutex owner_mutex_; // the endpoint's strand delivers while this one may finish
  connection_owner owner_; // dropped in finish(): breaks the owner <-> connection cycle

  std::atomic<uint32_t> unhandled_{0};
  std::atomic<int64_t> last_read_ns_;
  std::atomic<uint64_t> bytes_in_{0};
  std::atomic<uint64_t> bytes_out_{0};

  std::mutex out_mutex_; // guards the fields below up to queued_bytes_; never held over I/O
  bool open_ = true;     // close(), abort() or finish() ends it: later sends are dropped
  bool flush_posted_ = false;
  std::vector<frame> queue_;
  std::size_t queued_bytes_ = 0;

  // Strand only.
  bool finished_ = false;
  std::vector<frame> sending_;
  udp::datagram_packer packer_; // this peer's multi-part message ids, from 0

  // Endpoint strand only.
  udp::replay_window seen_; // the peer's DATAs by sequence number
};

} // namespace chat::transport
