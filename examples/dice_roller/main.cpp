// main.cpp -- dice-server: chat-server plus one extension handler, the dice roller, for frame
// type 64. Everything but the spawn and the registration is chat-server's own life cycle
// (serve_main); both happen before the node accepts anyone, as handle_extension requires.
#include "apps/chat-server/serve.hpp"
#include "examples/dice_roller/dice_roller.hpp"

#include <random>

int main(int argc, char** argv) {
  return chat::serve_main(
      "dice-server", argc, argv, [](caf::actor_system& sys, chat::server& node) {
        // A fresh seed per run; the tests pass a fixed one instead.
        auto roller = sys.spawn(chat::dice_roller, node.roster(), uint64_t{std::random_device{}()});
        node.handle_extension(chat::roll_frame_type, roller);
      });
}
