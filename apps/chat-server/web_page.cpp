#include "apps/chat-server/web_page.hpp"

namespace chat {

std::optional<transport::http_page> web_page(std::string_view path) {
  struct asset {
    std::string_view path, file, type;
  };
  static constexpr asset assets[] = {
      {"/", "index.html", "text/html; charset=utf-8"},
      {"/index.html", "index.html", "text/html; charset=utf-8"},
      {"/chat.js", "chat.js", "text/javascript; charset=utf-8"},
      {"/chat.css", "chat.css", "text/css; charset=utf-8"},
  };
  for (const auto& a : assets)
    if (path == a.path) {
      auto bytes = web_asset(a.file);
      return transport::http_page{200, std::string{a.type}, std::string{bytes}};
    }
  return std::nullopt;
}

} // namespace chat
