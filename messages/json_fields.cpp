// json_fields.cpp -- bounded parsing and strict field reading for the JSON form of the protocol
// (json_fields.hpp).
#include "messages/json_fields.hpp"

#include "messages/protocol_json.hpp"
#include "messages/utf8.hpp"

#include <boost/json/parser.hpp>

#include <limits>
#include <new>

namespace chat::json {

namespace {

constexpr uint64_t max_u16 = std::numeric_limits<uint16_t>::max();
constexpr uint64_t max_u32 = std::numeric_limits<uint32_t>::max();
constexpr uint64_t max_u64 = std::numeric_limits<uint64_t>::max();
constexpr std::size_t max_list_entries = max_u16; // a list's count is a u16 on the wire

// Parsing memory, per byte of text. The parser stacks every value (24 bytes) before it builds
// the array or object that holds them: `[0,0,...]` is 12 bytes of stack per byte of text, and
// the stack doubles as it grows while the old one is still held (measured: 36 per byte at the
// largest text). The parsed value takes 12 per byte at most. Past these caps the input is refused
// rather than trusted: they are the hard bound on the memory one message can take.
constexpr std::size_t parser_stack_per_text_byte = 48;
constexpr std::size_t parsed_value_per_text_byte = 16;
constexpr std::size_t parse_memory_floor = 16 * 1024;

std::size_t memory_cap(std::size_t text_size, std::size_t per_byte) {
  constexpr auto most = std::numeric_limits<std::size_t>::max();
  if (text_size > (most - parse_memory_floor) / per_byte) return most;
  return parse_memory_floor + text_size * per_byte;
}

// A u64 written as a decimal string, the form JavaScript keeps exact: digits only, no sign, no
// leading zero, at most 2^64-1.
std::optional<uint64_t> parse_decimal(std::string_view s) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  uint64_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    auto digit = static_cast<uint64_t>(c - '0');
    if (value > (max_u64 - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

// A JSON integer in 0..max. Boost.JSON keeps an integer as int64 or uint64 when it fits and as a
// double otherwise, so 1.0, 1e3 and 2^64 all arrive as doubles and are refused.
std::optional<uint64_t> unsigned_integer(const bj::value& v, uint64_t max) {
  if (auto* i = v.if_int64(); i && *i >= 0 && static_cast<uint64_t>(*i) <= max)
    return static_cast<uint64_t>(*i);
  if (auto* u = v.if_uint64(); u && *u <= max) return *u;
  return std::nullopt;
}

} // namespace

bool quotable(std::string_view s) {
  if (s.size() > 32 || !is_valid_utf8(s)) return false;
  return std::none_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F || c == '"' || c == '\\';
  });
}

const char* kind_name(const bj::value& v) {
  switch (v.kind()) {
  case bj::kind::null:
    return "null";
  case bj::kind::bool_:
    return "a boolean";
  case bj::kind::int64:
  case bj::kind::uint64:
  case bj::kind::double_:
    return "a number";
  case bj::kind::string:
    return "a string";
  case bj::kind::array:
    return "an array";
  case bj::kind::object:
    break;
  }
  return "an object";
}

// ---- parsing ---------------------------------------------------------------------------------

void* capped_resource::do_allocate(std::size_t n, std::size_t align) {
  if (n > cap_ - held_) {
    exhausted_ = true;
    throw std::bad_alloc{};
  }
  void* p = upstream_->allocate(n, align);
  held_ += n;
  return p;
}

void capped_resource::do_deallocate(void* p, std::size_t n, std::size_t align) {
  upstream_->deallocate(p, n, align);
  if (frees_give_back_) held_ -= n;
}

parsed_json::parsed_json(std::string_view text)
    : stack_memory_{memory_cap(text.size(), parser_stack_per_text_byte), *bj::storage_ptr{}.get(),
                    true},
      value_memory_{memory_cap(text.size(), parsed_value_per_text_byte), arena_, false} {
  bj::parse_options options;
  options.max_depth = max_depth;
  options.allow_invalid_utf8 = true; // checked per field, so the error names the field
  std::array<unsigned char, 1024> parser_stack;
  try {
    bj::parser parser{bj::storage_ptr{&stack_memory_}, options, parser_stack.data(),
                      parser_stack.size()};
    parser.reset(bj::storage_ptr{&value_memory_});
    bj::error_code ec;
    std::size_t consumed = parser.write(text.data(), text.size(), ec);
    if (ec == bj::error::too_deep)
      error_ = "JSON nested deeper than " + std::to_string(max_depth) + " levels";
    else if (ec)
      error_ = "invalid JSON at byte " + std::to_string(consumed) + ": " + ec.message();
    else
      value_ = parser.release();
  } catch (const std::bad_alloc&) {
    if (!stack_memory_.exhausted() && !value_memory_.exhausted()) throw; // the heap's, not ours
    error_ = "JSON text of " + std::to_string(text.size()) +
             " bytes needs more memory to parse than it may take";
  }
}

// ---- reading fields --------------------------------------------------------------------------

std::string one_of(const std::string_view* words, std::size_t n) {
  std::string out = "must be one of ";
  bool first = true;
  for (std::size_t i = 0; i < n; ++i) {
    if (words[i].empty()) continue;
    if (!first) out += ", ";
    out += '"';
    out += words[i];
    out += '"';
    first = false;
  }
  return out;
}

bool object_reader::has(const char* key) {
  if (!ok() || !object_->contains(key)) return false;
  used_.push_back(key);
  return true;
}

void object_reader::u16(const char* key, uint16_t& out) {
  uint64_t v = 0;
  if (number(key, max_u16, v)) out = static_cast<uint16_t>(v);
}

void object_reader::u32(const char* key, uint32_t& out) {
  uint64_t v = 0;
  if (number(key, max_u32, v)) out = static_cast<uint32_t>(v);
}

void object_reader::u64(const char* key, uint64_t& out) {
  auto* v = field(key);
  if (!v) return;
  std::optional<uint64_t> got;
  if (auto* s = v->if_string())
    got = parse_decimal(view(*s));
  else
    got = unsigned_integer(*v, max_u64);
  if (got)
    out = *got;
  else
    fail(path_ + key, "must be a decimal string or an integer 0..18446744073709551615");
}

void object_reader::string(const char* key, std::string& out, std::size_t max_bytes) {
  if (auto* v = field(key)) string(*v, path_ + key, out, max_bytes);
}

void object_reader::string(const bj::value& v, const std::string& path, std::string& out,
                           std::size_t max_bytes) {
  if (!ok()) return;
  auto* s = v.if_string();
  if (!s) return fail(path, "must be a string");
  if (s->size() > max_bytes)
    return fail(path, "must be at most " + std::to_string(max_bytes) + " bytes");
  if (!is_valid_utf8(view(*s))) return fail(path, "is not valid UTF-8");
  out.assign(s->data(), s->size());
}

const bj::array* object_reader::array(const char* key) {
  auto* v = field(key);
  if (!v) return nullptr;
  auto* a = v->if_array();
  if (!a)
    fail(path_ + key, "must be an array");
  else if (a->size() > max_list_entries)
    fail(path_ + key, "must have at most " + std::to_string(max_list_entries) + " entries");
  return ok() ? a : nullptr;
}

std::optional<object_reader> object_reader::object(const char* key) {
  if (auto* v = field(key)) return object(*v, path_ + key);
  return std::nullopt;
}

std::optional<object_reader> object_reader::object(const bj::value& v, const std::string& path) {
  if (!ok()) return std::nullopt;
  auto* o = v.if_object();
  if (!o) {
    fail(path, "must be an object");
    return std::nullopt;
  }
  return object_reader{*o, type_, path + ".", *error_};
}

void object_reader::finish() {
  if (!ok() || object_->size() == used_.size()) return;
  for (const auto& kv : *object_) {
    std::string_view key{kv.key().data(), kv.key().size()};
    if (std::find(used_.begin(), used_.end(), key) != used_.end()) continue;
    if (quotable(key))
      *error_ = std::string{type_} + ": unknown field \"" + path_ + std::string{key} + "\"";
    else
      *error_ = std::string{type_} + ": unknown field";
    return;
  }
}

void object_reader::fail(const std::string& path, const std::string& what) {
  if (ok()) *error_ = std::string{type_} + ": \"" + path + "\" " + what;
}

const bj::value* object_reader::field(const char* key) {
  if (!ok()) return nullptr;
  used_.push_back(key);
  auto* v = object_->if_contains(key);
  if (!v) fail(path_ + key, "is missing");
  return v;
}

bool object_reader::number(const char* key, uint64_t max, uint64_t& out) {
  auto* v = field(key);
  if (!v) return false;
  auto got = unsigned_integer(*v, max);
  if (!got) {
    fail(path_ + key, "must be an integer 0.." + std::to_string(max));
    return false;
  }
  out = *got;
  return true;
}

} // namespace chat::json
