#include "apps/cli/app_config.hpp"

#include <caf/config_option_set.hpp>

#include <string>
#include <vector>

namespace chat {

caf::error app_config::parse_command_line(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    bool long_option =
        word.size() > 2 && word.compare(0, 2, "--") == 0 && word.find('=') == std::string::npos;
    if (long_option && i + 1 < argc) {
      auto option = custom_options_.cli_long_name_lookup(caf::string_view{word}.substr(2));
      if (option != nullptr && !option->is_flag()) {
        args.push_back(word + '=' + argv[++i]);
        continue;
      }
    }
    args.push_back(std::move(word));
  }
  return parse(std::move(args));
}

} // namespace chat
