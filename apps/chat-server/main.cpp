// main.cpp -- chat-server: one chat node on 127.0.0.1:7000 by default, until SIGINT/SIGTERM.
#include "apps/chat-server/serve.hpp"

int main(int argc, char** argv) {
  return chat::serve_main("chat-server", argc, argv);
}
