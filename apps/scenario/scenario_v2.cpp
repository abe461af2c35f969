#include "apps/scenario/scenario_v2.hpp"

#include "apps/scenario/scenario_v2_fields.hpp"
#include "apps/scenario/scenario_v2_text.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <set>
#include <type_traits>
#include <variant>

namespace chat {

namespace {

using scenario_fields::fields;
using scenario_fields::message;
using scenario_text::token;

// ---- values ----------------------------------------------------------------------------------

std::string format(uint16_t x) {
  return std::to_string(x);
}
std::string format(uint32_t x) {
  return std::to_string(x);
}
std::string format(uint64_t x) {
  return std::to_string(x);
}
constexpr std::array<const char*, 3> replay_mode_names{"none", "since", "last"};
constexpr std::array<const char*, 6> recovery_names{"not_asked", "replayed", "epoch_changed",
                                                    "too_old",   "future",   "unavailable"};
std::string format(replay_mode x) {
  return replay_mode_names.at(static_cast<std::size_t>(x));
}
std::string format(recovery x) {
  return recovery_names.at(static_cast<std::size_t>(x));
}
std::string format(const std::string& s) {
  return quote_v2(s);
}
std::string format(v2::status x) {
  return x == v2::status::ok ? "ok" : "refused";
}
std::string format(v2::presence_kind x) {
  return x == v2::presence_kind::joined ? "joined"
         : x == v2::presence_kind::left ? "left"
                                        : "dropped";
}
std::string format(const std::vector<std::string>& names) {
  std::string out = "[";
  for (auto& n : names)
    out += (out.size() > 1 ? "," : "") + quote_v2(n);
  return out + "]";
}
std::string format(const std::vector<v2::channel_count>& channels) {
  std::string out = "[";
  for (auto& c : channels)
    out += (out.size() > 1 ? "," : "") + quote_v2(c.name) + ":" + std::to_string(c.members);
  return out + "]";
}

v2_fields fields_of(message& m) {
  v2_fields out;
  std::visit(
      [&](auto& x) {
        fields(x, [&](const char* name, auto& member, std::size_t) {
          out.push_back({name, format(member)});
        });
      },
      m);
  return out;
}

// Sets one member from its written value; a problem goes to `error`.
struct setter {
  const token& value;
  std::string& error;

  bool scalar() {
    return value.what == token::kind::scalar || (error = "expected one value, not a list", false);
  }
  bool fits(const std::string& s, std::size_t most) {
    if (s.size() <= most) return true;
    error = std::to_string(s.size()) + " bytes, more than its length prefix can say (" +
            std::to_string(most) + "); write such a frame as TYPE_<n> or RAW";
    return false;
  }
  template <class Int> bool number(const std::string& s, Int& out) {
    uint64_t v = 0;
    bool digits =
        !s.empty() && s.size() <= 19 && s.find_first_not_of("0123456789") == std::string::npos;
    if (digits) v = std::stoull(s);
    if (!digits || v > std::numeric_limits<Int>::max())
      return error = "'" + s + "' is not a number from 0 to " +
                     std::to_string(std::numeric_limits<Int>::max()),
             false;
    return out = static_cast<Int>(v), true;
  }
  template <class Int, class = std::enable_if_t<std::is_unsigned_v<Int>>>
  void operator()(Int& x, std::size_t) {
    if (scalar()) number(value.text, x);
  }
  void operator()(std::string& x, std::size_t most) {
    if (scalar() && fits(value.text, most)) x = value.text;
  }
  void operator()(v2::status& x, std::size_t) {
    if (!scalar()) return;
    if (value.text == "ok" || value.text == "refused")
      x = value.text == "ok" ? v2::status::ok : v2::status::refused;
    else
      error = "'" + value.text + "' is not ok or refused";
  }
  template <class Enum, std::size_t N>
  void named(Enum& x, const std::array<const char*, N>& names) {
    if (!scalar()) return;
    for (std::size_t i = 0; i < N; ++i)
      if (value.text == names[i]) return void(x = static_cast<Enum>(i));
    error = "'" + value.text + "' is not one of:";
    for (auto* n : names)
      error += std::string{" "} + n;
  }
  void operator()(replay_mode& x, std::size_t) { named(x, replay_mode_names); }
  void operator()(recovery& x, std::size_t) { named(x, recovery_names); }
  void operator()(v2::presence_kind& x, std::size_t) {
    if (!scalar()) return;
    for (auto k : {v2::presence_kind::joined, v2::presence_kind::left, v2::presence_kind::dropped})
      if (value.text == format(k)) return void(x = k);
    error = "'" + value.text + "' is not joined, left or dropped";
  }
  bool list(std::size_t parts) {
    if (value.what != token::kind::list) return error = "expected a list [...]", false;
    if (value.items.size() > std::numeric_limits<uint16_t>::max())
      return error = "more entries than a u16 count can say", false;
    for (auto& item : value.items)
      if (item.size() != parts)
        return error = parts == 1 ? "entries are names: quote one that holds ':'"
                                  : "entries are NAME:COUNT",
               false;
    return true;
  }
  void operator()(std::vector<std::string>& x, std::size_t most) {
    if (!list(1)) return;
    for (auto& item : value.items) {
      if (!fits(item[0], most)) return;
      x.push_back(item[0]);
    }
  }
  void operator()(std::vector<v2::channel_count>& x, std::size_t most) {
    if (!list(2)) return;
    for (auto& item : value.items) {
      auto& entry = x.emplace_back();
      if (!fits(item[0], most) || !number(item[1], entry.members)) return;
      entry.name = item[0];
    }
  }
};

// Reads `text` into `m`. Every field must be written, unless `open_ok`: then `field=*` or a
// trailing `*` leaves fields open, and `out` (if given) gets them without a value.
bool parse_message(message& m, uint8_t type, std::string_view text, bool open_ok, v2_fields* out,
                   std::string& error) {
  std::vector<scenario_text::written_field> written;
  bool rest_open = false;
  if (!scenario_text::read_fields(text, written, rest_open, error)) return false;
  // A JOIN that names a field of its long form is the long form (docs/PROTOCOL.md "History").
  if (auto* join = std::get_if<v2::join_request>(&m))
    for (auto& w : written)
      if (w.name == "mode" || w.name == "epoch" || w.name == "offset" || w.name == "count")
        join->replay.emplace();
  auto all = fields_of(m);
  std::string names;
  for (auto& f : all)
    names += (names.empty() ? "" : " ") + f.name;
  std::set<std::string> given, open;
  for (auto& w : written) {
    if (!given.insert(w.name).second) return error = w.name + ": written twice", false;
    if (w.value.what == token::kind::any) {
      open.insert(w.name);
      if (!open_ok) return error = w.name + ": * only in what a client expects", false;
    }
    bool found = false;
    std::string why;
    std::visit(
        [&](auto& x) {
          fields(x, [&](const char* name, auto& member, std::size_t most) {
            if (w.name != name) return;
            found = true;
            if (w.value.what != token::kind::any) setter{w.value, why}(member, most);
          });
        },
        m);
    if (!found)
      return error = frame_type_name(type) + " has no field '" + w.name + "' (" + names + ")",
             false;
    if (!why.empty()) return error = w.name + ": " + why, false;
  }
  if (rest_open && !open_ok) return error = "a lone * only in what a client expects", false;
  std::vector<std::string> missing;
  for (auto& f : all)
    if (given.count(f.name) == 0 && !rest_open) missing.push_back(f.name);
  if (!missing.empty()) {
    error = missing.size() == 1 ? "missing field:" : "missing fields:";
    for (auto& name : missing)
      error += " " + name;
    if (open_ok) error += " (end with * to leave fields open)";
    return false;
  }
  if (out) {
    *out = fields_of(m);
    for (auto& f : *out)
      if (open.count(f.name) > 0 || (rest_open && given.count(f.name) == 0)) f.value.reset();
  }
  return true;
}

std::string encoded_payload(const message& m) {
  auto f = std::visit([](const auto& x) { return v2::encode(x); }, m);
  auto& b = bytes(f);
  return std::string(b.begin() + static_cast<std::ptrdiff_t>(header_size), b.end());
}

} // namespace

bool parse_v2_send(uint8_t type, std::string_view text, std::string& payload, std::string& error) {
  auto m = scenario_fields::sent_message(type);
  if (!m) return error = frame_type_name(type) + " is not written by field", false;
  if (!parse_message(*m, type, text, false, nullptr, error)) return false;
  payload = encoded_payload(*m);
  return true;
}

bool parse_v2_expect(uint8_t type, std::string_view text, v2_expected& out, std::string& error) {
  auto m = scenario_fields::received_message(type);
  if (!m)
    return error = "the server never sends " + frame_type_name(type) + " (expect TYPE_" +
                   std::to_string(type) + " \"payload\" for raw bytes)",
           false;
  if (!parse_message(*m, type, text, true, &out.fields, error)) return false;
  out.exact = std::all_of(out.fields.begin(), out.fields.end(),
                          [](const v2_field& f) { return f.value.has_value(); });
  if (out.exact) out.payload = encoded_payload(*m);
  auto open = std::count_if(out.fields.begin(), out.fields.end(),
                            [](const v2_field& f) { return !f.value.has_value(); });
  auto* msg = std::get_if<v2::msg_delivery>(&*m);
  if (msg && open == 1 && !out.fields.back().value) { // offset is MSG's last field
    msg->offset = 0;
    out.payload = encoded_payload(*m);
    out.open_offset_only = true;
  }
  return true;
}

bool decode_v2(uint8_t type, std::string_view payload, v2_fields& out, std::string& error) {
  message m;
  if (!scenario_fields::decode_received(type, payload, m, error)) return false;
  out = fields_of(m);
  return true;
}

std::string to_string(const v2_fields& fields) {
  std::string out;
  for (auto& f : fields)
    out += (out.empty() ? "" : " ") + f.name + "=" + f.value.value_or("*");
  return out;
}

std::string diff_v2(const v2_fields& want, const v2_fields& got) {
  std::string out;
  for (std::size_t i = 0; i < want.size() && i < got.size(); ++i)
    if (want[i].value && want[i].value != got[i].value)
      out += (out.empty() ? "" : "; ") + want[i].name + ": " + got[i].value.value_or("*") +
             ", want " + *want[i].value;
  return out;
}

std::optional<std::string> v2_sender_key(uint8_t type, std::string_view payload) {
  if (type == static_cast<uint8_t>(v2::type::msg)) {
    auto d = v2::decode_msg_delivery(payload);
    if (auto* m = std::get_if<v2::msg_delivery>(&d))
      return "MSG " + quote_v2(m->channel) + " " + quote_v2(m->sender);
  }
  if (type == static_cast<uint8_t>(v2::type::dm)) {
    auto d = v2::decode_dm_delivery(payload);
    if (auto* m = std::get_if<v2::dm_delivery>(&d)) return "DM " + quote_v2(m->sender);
  }
  return std::nullopt;
}

} // namespace chat
