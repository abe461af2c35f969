// main.cpp -- counter-server: chat-server plus the message counter bot, attached to the channels
// of `--count-in a,b` (default: lobby). That one option is taken out of argv here; the rest are
// chat-server's own (serve_main), which spawns nothing else. The bot is spawned before the node
// accepts anyone, so no client can take its name first.
#include "apps/chat-server/serve.hpp"
#include "examples/message_counter/message_counter.hpp"
#include "messages/channel_name.hpp"

#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::string_view count_in = "--count-in";

std::vector<std::string> split(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    auto comma = list.find(',');
    out.emplace_back(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
  }
  return out;
}

// Removes "--count-in LIST" / "--count-in=LIST" from argv; returns LIST ("lobby" without it),
// or nothing when the option has no value.
std::optional<std::string> take_channels(int& argc, char** argv) {
  std::string list{chat::default_channel};
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg{argv[i]};
    if (arg == count_in) {
      if (i + 1 == argc) return std::nullopt;
      list = argv[++i];
    } else if (arg.substr(0, count_in.size() + 1) == std::string{count_in} + '=') {
      list = std::string{arg.substr(count_in.size() + 1)};
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
  return list;
}

} // namespace

int main(int argc, char** argv) {
  auto list = take_channels(argc, argv);
  if (!list) {
    std::cerr << "counter-server: --count-in needs a list of channels, e.g. lobby,dev\n";
    return 2;
  }
  auto channels = split(*list);
  if (channels.empty()) {
    std::cerr << "counter-server: --count-in names no channel\n";
    return 2;
  }
  for (auto& name : channels)
    if (auto reason = chat::channel_name_error(name)) {
      std::cerr << "counter-server: --count-in '" << name << "': " << reason << '\n';
      return 2;
    }
  return chat::serve_main(
      "counter-server", argc, argv, [&channels](caf::actor_system& sys, chat::server& node) {
        // It monitors the roster and ends with it at shutdown.
        sys.spawn(chat::message_counter, node.roster(), node.directory(), channels);
      });
}
