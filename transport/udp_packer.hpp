// udp_packer.hpp -- frames into DATA datagrams (docs/PROTOCOL.md "Datagrams (UDP)"): whole frames
// packed several to a datagram, and a frame too large for one cut into PART frames, each in a
// DATA of its own. Both ends of a UDP session own one (the client's udp_client_connection; the
// server's connections). Each DATA gets the next sequence number of this end, from 1, so the
// peer can drop copies (udp_replay_window.hpp). No socket here: `emit` sends each datagram, and
// the prefix it points to is rewritten for the next one. Not thread-safe.
#pragma once

#include "messages/frame.hpp"
#include "messages/multipart.hpp"
#include "transport/udp_datagram.hpp"

#include <sys/uio.h>

#include <cstddef>
#include <functional>
#include <vector>

namespace chat::transport::udp {

class datagram_packer {
public:
  // One datagram: `count` pieces (the DATA prefix, then whole frames), `bytes` in all.
  using emit_fn = std::function<void(const iovec* pieces, std::size_t count, std::size_t bytes)>;

  // `max_message`: the largest frame body this end may cut into parts (the server's sessions
  // send up to --max-message, or --max-frame if larger); more than the peer's 1024 parts never go.
  datagram_packer(const cookie& c, std::size_t max_datagram,
                  std::size_t max_message = v2::default_max_message);

  // The largest PART frame body one datagram of `max_datagram` bytes carries: what is left after
  // the DATA prefix and the frame's body_len, so every part but the last fills its datagram.
  static std::size_t max_part_body(std::size_t max_datagram);

  // The session's cookie changed (the client took a refreshed one); numbering goes on.
  void set_cookie(const cookie& c) { prefix_ = encode_data_prefix(c); }

  // Every frame of `frames`, in order, in as few datagrams as they fit. A frame that cannot go
  // even in parts (past --max-message) is left out, and counted in too_long().
  void pack(const std::vector<frame>& frames, const emit_fn& emit);

  std::size_t too_long() const { return too_long_; }

private:
  void flush(const emit_fn& emit);
  void send_in_parts(const frame& f, const emit_fn& emit);
  void number_next(); // prefix_ carries the next sequence number

  data_prefix prefix_;
  std::size_t max_datagram_;
  v2::message_splitter splitter_; // this end's multi-part ids, from 0
  std::vector<iovec> packet_;     // the DATA being packed: the prefix, then whole frames
  std::size_t packed_ = 0;        // frame bytes in packet_
  std::size_t too_long_ = 0;
  uint64_t next_sequence_ = 1;
};

} // namespace chat::transport::udp
