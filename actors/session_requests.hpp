// session_requests.hpp -- what the session's version-2 request handlers share (session_v2.cpp,
// session_pages.cpp): the REPLY with its ref, the checks every request makes first, and the paged
// requests. Internal to the session's files; nothing outside actors/session*.cpp includes it.
#pragma once

#include "actors/session.hpp"
#include "messages/protocol_v2.hpp"

#include <caf/all.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace chat::session_detail {

// REPLY to request `ref`: ok without `text`, refused with it as the reason.
void send_reply(session_ptr self, uint32_t ref, std::string text = {});
// The words a refusal between actors becomes for the client.
std::string refusal_reason(const caf::error& err);
// The page size a request gets: what it asked for, at most --page-size (0: the most).
uint16_t page_limit(session_ptr self, uint16_t asked);
// False (and the REPLY says so) before LOGIN.
bool logged_in(session_ptr self, uint32_t ref);
// False (and the REPLY says why) for a channel name the protocol does not allow.
bool valid_channel(session_ptr self, uint32_t ref, const std::string& name);

// Decodes `payload` with `decode`; on a malformed payload sends ERROR with the reason and
// returns nothing (the connection stays: the frame boundary itself was sound).
template <class T> std::optional<T> decoded_or_error(session_ptr self, v2::decoded<T> result) {
  if (auto* reason = std::get_if<std::string>(&result)) {
    send_error(self, *reason);
    return std::nullopt;
  }
  return std::get<T>(std::move(result));
}

// The paged requests (session_pages.cpp): WHO, LIST, HISTORY.
void on_who(session_ptr self, const inbound_frame& f);
void on_list(session_ptr self, const inbound_frame& f);
void on_history(session_ptr self, const inbound_frame& f);

} // namespace chat::session_detail
