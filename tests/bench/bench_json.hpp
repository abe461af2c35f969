// bench_json.hpp -- reading chat-bench's one JSON line in tests, without a JSON library.
// Used by chat_bench_test.cpp and trivial_relay_test.cpp; chat-bench's keys are unique enough
// that the first occurrence of a key is the total it names.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace chat::test {

// The number after "key": in a flat or nested JSON object (chat-bench's keys are unique);
// nothing if the key is missing or its value is not a number (null).
inline std::optional<double> json_number(const std::string& json, const std::string& key) {
  auto at = json.find('"' + key + "\":");
  if (at == std::string::npos) return std::nullopt;
  auto start = json.c_str() + at + key.size() + 3;
  char* end = nullptr;
  double value = std::strtod(start, &end);
  if (end == start) return std::nullopt;
  return value;
}

// The object or array after "key": (its first occurrence), brackets included; empty if missing.
inline std::string json_part(const std::string& json, const std::string& key) {
  auto at = json.find('"' + key + "\":");
  if (at == std::string::npos) return {};
  auto start = at + key.size() + 3;
  int depth = 0;
  for (auto i = start; i < json.size(); ++i) {
    if (json[i] == '{' || json[i] == '[') ++depth;
    if ((json[i] == '}' || json[i] == ']') && --depth == 0)
      return json.substr(start, i + 1 - start);
    if (depth == 0) return {}; // a plain value
  }
  return {};
}

// The objects of a JSON array of flat objects, such as "nodes".
inline std::vector<std::string> json_objects(const std::string& array) {
  std::vector<std::string> out;
  for (auto open = array.find('{'); open != std::string::npos; open = array.find('{', open + 1))
    out.push_back(array.substr(open, array.find('}', open) + 1 - open));
  return out;
}

// chat-bench's report: the last line of its stdout (progress goes to stderr).
inline std::string last_line(std::string out) {
  while (!out.empty() && out.back() == '\n')
    out.pop_back();
  return out.substr(out.rfind('\n') + 1); // npos + 1 == 0: the whole text
}

} // namespace chat::test
