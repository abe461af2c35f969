// udp_stats.cpp -- the names /metrics gives the drop reasons.
#include "transport/udp_stats.hpp"

namespace chat::transport {

static_assert(static_cast<int>(udp_drop::bad_frame) ==
                  static_cast<int>(udp::datagram_fault::bad_frame),
              "udp_drop starts with datagram_fault's values, in their order");

const char* udp_drop_name(udp_drop d) {
  switch (d) {
  case udp_drop::too_short:
    return "too_short";
  case udp_drop::too_large:
    return "too_large";
  case udp_drop::wrong_magic:
    return "wrong_magic";
  case udp_drop::wrong_version:
    return "wrong_version";
  case udp_drop::unknown_kind:
    return "unknown_kind";
  case udp_drop::short_hello:
    return "short_hello";
  case udp_drop::wrong_size:
    return "wrong_size";
  case udp_drop::no_frames:
    return "no_frames";
  case udp_drop::bad_frame:
    return "bad_frame";
  case udp_drop::forged_cookie:
    return "forged_cookie";
  case udp_drop::expired_cookie:
    return "expired_cookie";
  case udp_drop::no_session:
    return "no_session";
  case udp_drop::unhandled:
    return "unhandled";
  case udp_drop::replayed:
    return "replayed";
  case udp_drop::server_full:
    return "server_full";
  case udp_drop::stopping:
    return "stopping";
  case udp_drop::send_queue_full:
    return "send_queue_full";
  case udp_drop::send_refused:
    return "send_refused";
  case udp_drop::too_long:
    return "too_long";
  case udp_drop::count_:
    break;
  }
  return "other";
}

} // namespace chat::transport
