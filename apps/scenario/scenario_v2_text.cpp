#include "apps/scenario/scenario_v2_text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace chat {

namespace {

// "x"*N may build a long string, but not an unbounded one: past this it is a typo.
constexpr std::size_t max_repeated = 1 << 20;

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// A lone `*` at `pos`: followed by the end or white space.
bool lone_star(std::string_view text, std::size_t pos) {
  return pos < text.size() && text[pos] == '*' &&
         (pos + 1 == text.size() || is_space(text[pos + 1]));
}

// Characters a value may show without quotes: they cannot end a bare word anywhere (white space,
// `,` `]` `:` in lists), start a list or a quote, or read as `*`, `|` or a loop's `$`.
bool bare_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view{"_-./@#%&+!?~^;'"}.find(c) != std::string_view::npos;
}

std::string escaped(char c) {
  switch (c) {
  case '"':
    return "\\\"";
  case '\\':
    return "\\\\";
  case '\n':
    return "\\n";
  case '\t':
    return "\\t";
  default:
    break;
  }
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u != 0x7F) return std::string(1, c);
  char buf[5];
  std::snprintf(buf, sizeof buf, "\\x%02X", u);
  return buf;
}

// One string: "quoted" or bare up to white space or a character of `stops`.
bool read_atom(std::string_view text, std::size_t& pos, std::string_view stops, std::string& out,
               std::string& error) {
  if (pos < text.size() && text[pos] == '"') return read_quoted(text, pos, out, error);
  auto start = pos;
  for (; pos < text.size() && !is_space(text[pos]) && stops.find(text[pos]) == stops.npos; ++pos)
    if (text[pos] == '"') return error = "a quote inside a bare value", false;
  if (pos == start) return error = "missing value", false;
  out = std::string{text.substr(start, pos - start)};
  return true;
}

bool read_list(std::string_view text, std::size_t& pos, scenario_text::token& out,
               std::string& error) {
  out.what = scenario_text::token::kind::list;
  auto skip_space = [&] {
    while (pos < text.size() && is_space(text[pos]))
      ++pos;
  };
  ++pos; // [
  skip_space();
  if (pos < text.size() && text[pos] == ']') return ++pos, true;
  for (;;) {
    auto& item = out.items.emplace_back();
    do {
      if (!read_atom(text, pos, ",]:", item.emplace_back(), error)) return false;
    } while (pos < text.size() && text[pos] == ':' && ++pos);
    skip_space();
    if (pos < text.size() && text[pos] == ']') return ++pos, true;
    if (pos == text.size() || text[pos] != ',') return error = "expected , or ] in the list", false;
    ++pos;
    skip_space();
  }
}

} // namespace

bool read_quoted(std::string_view text, std::size_t& pos, std::string& out, std::string& error) {
  std::string once;
  auto i = pos + 1;
  for (; i < text.size() && text[i] != '"'; ++i) {
    if (text[i] != '\\') {
      once += text[i];
      continue;
    }
    if (++i == text.size()) break;
    switch (text[i]) {
    case 'n':
      once += '\n';
      break;
    case 't':
      once += '\t';
      break;
    case 'x': {
      int hi = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
      int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) return error = "\\x needs two hex digits", false;
      once += static_cast<char>(hi * 16 + lo);
      i += 2;
      break;
    }
    default:
      once += text[i];
      break; // \" and \\ and anything else: the character itself
    }
  }
  if (i >= text.size()) return error = "missing closing quote", false;
  pos = i + 1;
  if (pos + 1 >= text.size() || text[pos] != '*' || !is_digit(text[pos + 1]))
    return out += once, true;
  std::size_t n = 0; // "x"*N: N times
  for (++pos; pos < text.size() && is_digit(text[pos]); ++pos)
    if ((n = n * 10 + static_cast<std::size_t>(text[pos] - '0')) > max_repeated ||
        once.size() * n > max_repeated)
      return error = "repeated past " + std::to_string(max_repeated) + " bytes", false;
  for (std::size_t k = 0; k < n; ++k)
    out += once;
  return true;
}

std::string quote_v2(std::string_view s) {
  if (s.size() >= 16 && std::all_of(s.begin(), s.end(), [&](char c) { return c == s[0]; }))
    return "\"" + escaped(s[0]) + "\"*" + std::to_string(s.size());
  if (!s.empty() && std::all_of(s.begin(), s.end(), bare_char)) return std::string{s};
  std::string out = "\"";
  for (char c : s)
    out += escaped(c);
  return out + "\"";
}

namespace scenario_text {

bool read_fields(std::string_view text, std::vector<written_field>& out, bool& rest_open,
                 std::string& error) {
  rest_open = false;
  for (std::size_t pos = 0;;) {
    while (pos < text.size() && is_space(text[pos]))
      ++pos;
    if (pos == text.size()) return true;
    if (rest_open) return error = "a lone * must come after the last field", false;
    if (lone_star(text, pos)) {
      rest_open = true;
      ++pos;
      continue;
    }
    auto start = pos;
    while (pos < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[pos])) || text[pos] == '_'))
      ++pos;
    if (pos == start || pos == text.size() || text[pos] != '=')
      return error = "expected FIELD=VALUE at '" + std::string{text.substr(start, 24)} + "'", false;
    auto& field = out.emplace_back();
    field.name = std::string{text.substr(start, pos - start)};
    ++pos; // =
    bool ok = true;
    if (lone_star(text, pos))
      field.value.what = token::kind::any, ++pos;
    else if (pos < text.size() && text[pos] == '[')
      ok = read_list(text, pos, field.value, error);
    else
      ok = read_atom(text, pos, {}, field.value.text, error);
    if (ok && pos < text.size() && !is_space(text[pos]))
      ok = (error = "text right after the value", false);
    if (!ok) return error = field.name + ": " + error, false;
  }
}

} // namespace scenario_text

} // namespace chat
