#include "apps/scenario/scenario.hpp"

#include "messages/frame.hpp"
#include "messages/protocol_v2.hpp"

#include <cctype>
#include <cstdio>

namespace chat {

std::string with_marks(std::string_view fields, uint64_t epoch, uint64_t offset) {
  std::string text{fields};
  auto put = [&text](const std::string& key, uint64_t value) {
    for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at))
      text.replace(at, key.size(), key.substr(0, key.size() - 1) + std::to_string(value));
  };
  put("epoch=@", epoch);
  put("offset=@", offset);
  return text;
}

namespace {

// Scenario files are small; a loop that expands past this is a typo, not a test.
constexpr std::size_t max_expanded_lines = 1'000'000;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

// "for i in 1..50: rest" -> rest with $i replaced, once per value; nested loops recurse.
bool expand(std::string_view line, std::vector<std::string>& out, std::string& error) {
  line = trim(line);
  if (line.substr(0, 4) != "for ") return out.emplace_back(line), true;
  unsigned first = 0, last = 0;
  char var[16] = {};
  int used = 0;
  if (std::sscanf(std::string{line}.c_str(), "for %15[a-z] in %u..%u:%n", var, &first, &last,
                  &used) != 3 ||
      used == 0)
    return error = "expected 'for VAR in FIRST..LAST: STEPS'", false;
  auto body = line.substr(static_cast<std::size_t>(used));
  auto token = std::string{"$"} + var;
  for (auto value = first; value <= last; ++value) {
    std::string text{body};
    for (auto at = text.find(token); at != std::string::npos; at = text.find(token, at))
      text.replace(at, token.size(), std::to_string(value));
    if (!expand(text, out, error)) return false;
    if (out.size() > max_expanded_lines)
      return error = "loops expand to more than a million lines", false;
  }
  return true;
}

// Splits at | outside double quotes.
std::vector<std::string_view> split_steps(std::string_view line) {
  std::vector<std::string_view> steps;
  bool quoted = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\' && quoted)
      ++i;
    else if (line[i] == '"')
      quoted = !quoted;
    else if (line[i] == '|' && !quoted) {
      steps.push_back(trim(line.substr(start, i - start)));
      start = i + 1;
    }
  }
  steps.push_back(trim(line.substr(start)));
  return steps;
}

// A "quoted string" with escapes, or the bare rest of the step.
bool parse_payload(std::string_view text, std::string& out, std::string& error) {
  if (text.empty() || text.front() != '"') return out = std::string{text}, true;
  std::size_t end = 0;
  if (!read_quoted(text, end, out, error)) return false;
  return trim(text.substr(end)).empty() || (error = "text after closing quote", false);
}

// Version 2 by field: JOIN, MSG, ... by name (TYPE_<n> stays a raw payload, for bad input).
bool by_field(std::string_view word, uint8_t type) {
  return type >= v2::first_type && word.substr(0, 5) != "TYPE_";
}

bool parse_field_step(std::string_view fields, scenario_step& step, std::string& error) {
  using act = scenario_step::action;
  step.by_field = true;
  step.written = std::string{fields};
  if (step.what == act::send) {
    if (fields.find("=@") == std::string_view::npos)
      return parse_v2_send(step.type, fields, step.payload, error);
    // epoch=@ offset=@: checked now with zeros, encoded with the client's marks when sent.
    if (step.type != static_cast<uint8_t>(v2::type::join))
      return error = "@ stands only for a JOIN's epoch and offset", false;
    auto text = with_marks(fields, 0, 0);
    if (text.find("=@") != std::string::npos)
      return error = "@ stands only for a JOIN's epoch and offset", false;
    step.uses_marks = true;
    return parse_v2_send(step.type, text, step.payload, error);
  }
  v2_expected expected;
  if (!parse_v2_expect(step.type, fields, expected, error)) return false;
  if (step.what == act::expect_by_sender && !expected.exact && !expected.open_offset_only)
    return error = "<< compares whole frames: no field may be left open with * (but a MSG's "
                   "offset)",
           false;
  step.fields = std::move(expected.fields);
  step.payload = std::move(expected.payload);
  return true;
}

bool parse_step(std::string_view text, scenario_step& step, std::string& error) {
  auto space = text.find(' ');
  if (space == std::string_view::npos)
    return error = "expected 'NAME > ...' or 'NAME < ...'", false;
  step.client = std::string{text.substr(0, space)};
  auto rest = trim(text.substr(space));
  std::string_view op = rest.substr(0, rest.find(' '));
  rest = trim(rest.substr(op.size()));
  auto word = rest.substr(0, rest.find(' '));
  auto payload = trim(rest.substr(word.size()));
  using act = scenario_step::action;
  if (op == ">" && word == "RAW")
    step.what = act::send_raw;
  else if (op == ">" && word == "CLOSE")
    return step.what = act::close, true;
  else if (op == "<" && word == "CLOSED")
    return step.what = act::expect_closed, true;
  else if (op == "<<" && word == "SAME_ORDER_AS") {
    step.what = act::expect_same_order;
    step.payload = std::string{payload};
    if (payload.empty() || payload.find(' ') != std::string_view::npos)
      return error = "expected 'NAME << SAME_ORDER_AS OTHER'", false;
    return true;
  } else if (op == ">" || op == "<" || op == "<<") {
    auto type = frame_type_from_name(word);
    if (!type) return error = "unknown frame type '" + std::string{word} + "'", false;
    step.type = *type;
    step.what = op == ">" ? act::send : op == "<" ? act::expect : act::expect_by_sender;
    if (by_field(word, *type)) return parse_field_step(payload, step, error);
  } else {
    return error = "unknown operator '" + std::string{op} + "' (use >, < or <<)", false;
  }
  return parse_payload(payload, step.payload, error);
}

} // namespace

bool parse_scenario(std::string_view text, scenario& out, std::string& error) {
  std::size_t line_no = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string> lines;
    std::string why;
    if (!expand(line, lines, why))
      return error = "line " + std::to_string(line_no) + ": " + why, false;
    for (auto& expanded : lines)
      for (auto step_text : split_steps(expanded)) {
        scenario_step step;
        step.line = line_no;
        if (!parse_step(step_text, step, why))
          return error = "line " + std::to_string(line_no) + ": " + why + " in '" +
                         std::string{step_text} + "'",
                 false;
        out.steps.push_back(std::move(step));
      }
  }
  return true;
}

std::string describe(const scenario_step& step) {
  using act = scenario_step::action;
  switch (step.what) {
  case act::send:
    return step.client + " > " + frame_type_name(step.type) + " " +
           (step.by_field ? step.written : step.payload);
  case act::send_raw:
    return step.client + " > RAW (" + std::to_string(step.payload.size()) + " bytes)";
  case act::close:
    return step.client + " > CLOSE";
  case act::expect:
  case act::expect_by_sender: {
    auto op = step.what == act::expect ? " < " : " << ";
    if (step.by_field) return step.client + op + frame_type_name(step.type) + " " + step.written;
    return step.client + op + frame_type_name(step.type) + " \"" + step.payload + "\"";
  }
  case act::expect_same_order:
    return step.client + " << SAME_ORDER_AS " + step.payload;
  case act::expect_closed:
    return step.client + " < CLOSED";
  }
  return "?";
}

} // namespace chat
