// main.cpp -- time-bot-server: chat-server plus one bot (a member with no socket), the time bot.
// Everything but the one spawn is chat-server's own life cycle (serve_main); the bot is spawned
// before the node accepts anyone, so no client can take its name first.
#include "apps/chat-server/serve.hpp"
#include "examples/time_bot/time_bot.hpp"

int main(int argc, char** argv) {
  return chat::serve_main(
      "time-bot-server", argc, argv, [](caf::actor_system& sys, chat::server& node) {
        // The bot monitors the roster and ends with it at shutdown.
        sys.spawn(chat::time_bot, node.roster(), node.directory(),
                  chat::wall_clock{[] { return std::chrono::system_clock::now(); }});
      });
}
