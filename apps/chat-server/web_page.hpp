// web_page.hpp -- what chat-server's HTTP side serves besides the WebSocket gateway: the web
// chat page (web/, compiled into the binary). The server wiring (server.cpp) serves it beside
// /healthz and /metrics through the HTTP listener's page callback.
#pragma once

#include "transport/http_listener.hpp"

#include <optional>
#include <string_view>

namespace chat {

// The page for `path`, or nothing (404).
std::optional<transport::http_page> web_page(std::string_view path);

// The bytes of web/<name> as compiled in (web_assets.cpp, generated); empty if there is none.
std::string_view web_asset(std::string_view name);

} // namespace chat
