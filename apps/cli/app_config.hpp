// app_config.hpp -- the base of every app's options (command line, INI file, --help).
// chat-server, chat-client and chat-bench derive from it and call parse_command_line in main().
#pragma once

#include <caf/actor_system_config.hpp>

namespace chat {

class app_config : public caf::actor_system_config {
public:
  // CAF's parser takes long options only as --name=value; people type --name value. This accepts
  // both by joining "--name" and the next word when --name is one of the app's options that
  // takes a value, then lets CAF parse (and read --config-file). Flags and unknown options pass
  // through untouched, so CAF still reports them.
  //
  // CAF also keeps only the last of a repeated option. For list options (std::vector) the
  // repeats are gathered instead: "--server a --server [b,c]" reads as "--server=[a,b,c]".
  caf::error parse_command_line(int argc, char** argv);
};

} // namespace chat
