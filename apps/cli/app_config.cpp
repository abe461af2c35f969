#include "apps/cli/app_config.hpp"

#include <caf/config_option_set.hpp>

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace chat {

namespace {

bool is_list(const caf::config_option& option) {
  return option.type_name().compare(0, 8, "list of ") == 0;
}

// One value's items in CAF's list syntax: "[a,b]" gives "a,b", a plain "a" gives "a".
std::string list_items(const std::string& value) {
  std::string items = value;
  if (items.size() >= 2 && items.front() == '[' && items.back() == ']')
    items = items.substr(1, items.size() - 2);
  while (!items.empty() && (items.back() == ',' || items.back() == ' '))
    items.pop_back(); // "[a,]" is legal alone, but "a,,b" is not
  return items;
}

} // namespace

caf::error app_config::parse_command_line(int argc, char** argv) {
  std::vector<std::string> args;
  // For list options: where the option first appeared in args, and the items given so far.
  struct repeated_list {
    std::size_t at;
    std::string items;
  };
  std::map<std::string, repeated_list> lists;
  for (int i = 1; i < argc; ++i) {
    std::string word = argv[i];
    const caf::config_option* option = nullptr;
    std::string name;
    if (word.size() > 2 && word.compare(0, 2, "--") == 0) {
      name = word.substr(2, word.find('=') - 2);
      option = custom_options_.cli_long_name_lookup(name);
    }
    if (option != nullptr && !option->is_flag() && word.find('=') == std::string::npos &&
        i + 1 < argc)
      word += '=' + std::string{argv[++i]};
    if (option == nullptr || !is_list(*option) || word.find('=') == std::string::npos) {
      args.push_back(std::move(word));
      continue;
    }
    // CAF keeps only the last of a repeated option; "--server a --server b" means both.
    auto items = list_items(word.substr(word.find('=') + 1));
    auto [entry, first] = lists.try_emplace(name, repeated_list{args.size(), items});
    if (first)
      args.emplace_back();
    else if (!items.empty())
      entry->second.items += (entry->second.items.empty() ? "" : ",") + items;
  }
  for (auto& [name, list] : lists)
    args[list.at] = "--" + name + "=[" + list.items + ']';
  return parse(std::move(args));
}

} // namespace chat
