#include "apps/cli/app_config.hpp"

#include <caf/config_option_set.hpp>

#include <map>
#include <string>
#include <vector>

namespace chat {

namespace {

bool is_list(const caf::config_option& option) {
  return option.type_name().compare(0, 4, "list") == 0;
}

// One list value in CAF's syntax: ["a","b"], each element quoted so ':' or ',' stay inside it.
std::string list_value(const std::vector<std::string>& values) {
  std::string out = "[";
  for (auto& v : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + ']';
}

} // namespace

caf::error app_config::parse_command_line(int argc, char** argv) {
  std::vector<std::string> args;
  // Repeatable options (lists): CAF keeps only the last --peer=x of several, so every value of
  // one becomes a single --peer=["x","y"] (a value already written as [..] passes as it is).
  std::map<std::string, std::vector<std::string>> lists;
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    bool long_option = word.size() > 2 && word.compare(0, 2, "--") == 0;
    if (!long_option) {
      args.push_back(std::move(word));
      continue;
    }
    auto eq = word.find('=');
    auto name = word.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    auto option = custom_options_.cli_long_name_lookup(caf::string_view{name});
    if (option == nullptr || option->is_flag()) {
      args.push_back(std::move(word));
      continue;
    }
    std::string value;
    if (eq != std::string::npos)
      value = word.substr(eq + 1);
    else if (i + 1 < argc)
      value = argv[++i];
    else {
      args.push_back(std::move(word)); // CAF reports the missing value
      continue;
    }
    if (is_list(*option) && (value.empty() || value.front() != '['))
      lists[name].push_back(std::move(value));
    else
      args.push_back("--" + name + '=' + value);
  }
  for (auto& [name, values] : lists)
    args.push_back("--" + name + '=' + list_value(values));
  return parse(std::move(args));
}

} // namespace chat
