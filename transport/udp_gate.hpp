// udp_gate.hpp -- what the UDP endpoint does with a datagram from a peer that has no session
// (PROTOCOL.md "Datagrams (UDP)", "Unverified peers"): drop it, answer with a COOKIE no larger
// than it, or open a session for a DATA whose cookie proves the address. Pure: no socket, no
// state per peer; the endpoint's read loop calls answer_unverified() and does the I/O around it.
#pragma once

#include "transport/udp_cookie.hpp"
#include "transport/udp_datagram.hpp"

#include <cstddef>
#include <string_view>

namespace chat::transport::udp {

struct gate_answer {
  enum class verdict : uint8_t {
    drop,  // say nothing (fault or check tells why)
    reply, // send reply_bytes() back to the peer: a COOKIE, never larger than the datagram
    open,  // the address is proven: the endpoint admits a session (or refuses it: server full)
  };
  verdict what = verdict::drop;
  datagram_fault fault = datagram_fault::too_short; // drop of a malformed datagram
  bool malformed = false;                           // the drop was for `fault`
  cookie_check check = cookie_check::ok;            // DATA: what its cookie was
  cookie_datagram reply{};                          // reply
  udp::cookie cookie{};                             // open: the session's cookie
  uint64_t sequence = 0;                            // open: the DATA's sequence number
  std::string_view frames;                          // open: the DATA's frames (views the input)

  std::string_view reply_bytes() const { return {reply.data(), reply.size()}; }
};

// The rules, in order (each one PROTOCOL.md's table row):
//   malformed (decode_datagram's faults, a HELLO under min_hello_size among them)  drop
//   HELLO                                                            reply COOKIE {nonce, fresh}
//   DATA, cookie ok                                                  open
//   DATA, cookie expired, and the datagram is at least a COOKIE's size
//                                            reply COOKIE {last 8 bytes of the stale tag, fresh}
//   DATA, cookie expired and smaller; DATA, cookie forged            drop
//   CLOSE (there is no session to close), COOKIE (servers do not take them)  drop
// So every reply is exactly cookie_datagram_size bytes and only ever answers a datagram of at
// least that size; nothing is stored, whatever comes.
gate_answer answer_unverified(std::string_view bytes, const peer& from,
                              cookie_clock::time_point now, cookies& jar,
                              const datagram_limits& limits);

} // namespace chat::transport::udp
