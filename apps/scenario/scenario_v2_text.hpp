// scenario_v2_text.hpp -- the text of version-2 field steps: FIELD=VALUE words, quoted strings,
// lists and `*`, read into tokens that scenario_v2.cpp turns into protocol_v2 structs.
// Internal to the scenario library (scenario_v2.cpp; read_quoted also backs scenario.cpp).
#pragma once

#include "apps/scenario/scenario_v2.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace chat::scenario_text {

// A value as written: `*` (any), one string (quoted or bare), or a [list] whose entries are each
// one string or NAME:COUNT (split at ':' outside quotes).
struct token {
  enum class kind { any, scalar, list };
  kind what = kind::scalar;
  std::string text;                            // scalar
  std::vector<std::vector<std::string>> items; // list
};

struct written_field {
  std::string name;
  token value;
};

// "ref=1 channel=rust *": the fields in the order written, and whether a lone `*` closed them
// (it must be the last word).
bool read_fields(std::string_view text, std::vector<written_field>& out, bool& rest_open,
                 std::string& error);

} // namespace chat::scenario_text
