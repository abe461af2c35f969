// json_fields.hpp -- the JSON counterpart of v2_fields.hpp, for the JSON form of the protocol
// (protocol_json.hpp): one JSON text parsed within bounds of depth and memory, and object_reader,
// which reads an object's fields strictly and names the field that is wrong. Internal to the JSON
// codec (protocol_json_decode.cpp).
#pragma once

#include <boost/json/memory_resource.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::json {

namespace bj = boost::json;

inline std::string_view view(const bj::string& s) {
  return {s.data(), s.size()};
}

// Peer text is quoted in an error only when it is short and harmless (valid UTF-8, no control
// character, quote or backslash), so the error can go back to the peer and into logs as is.
bool quotable(std::string_view s);

// "null", "a string", "an array", ...: what a value is, for errors.
const char* kind_name(const bj::value& v);

// Forwards to `upstream` and throws std::bad_alloc once it would hold more than `cap` bytes.
// Over an arena, whose frees give nothing back, it counts every allocation; over the heap it
// counts what is held.
class capped_resource final : public bj::memory_resource {
public:
  capped_resource(std::size_t cap, bj::memory_resource& upstream, bool frees_give_back)
      : cap_(cap), upstream_(&upstream), frees_give_back_(frees_give_back) {}
  bool exhausted() const { return exhausted_; }

private:
  void* do_allocate(std::size_t n, std::size_t align) override;
  void do_deallocate(void* p, std::size_t n, std::size_t align) override;
  bool do_is_equal(const bj::memory_resource& other) const noexcept override {
    return this == &other;
  }

  std::size_t cap_;
  bj::memory_resource* upstream_;
  bool frees_give_back_;
  std::size_t held_ = 0;
  bool exhausted_ = false;
};

// One JSON text, parsed with at most max_depth levels of nesting (protocol_json.hpp) and memory
// capped in proportion to its size. UTF-8 is not checked here but by each field's reader, so the
// error can name the field. The value lives in memory this object owns: keep it while reading.
class parsed_json {
public:
  explicit parsed_json(std::string_view text);
  parsed_json(const parsed_json&) = delete;
  parsed_json& operator=(const parsed_json&) = delete;

  // The value, or nullptr when the text was refused (error() says why).
  const bj::value* value() const { return error_.empty() ? &value_ : nullptr; }
  const std::string& error() const { return error_; }

private:
  // Most messages are a few dozen bytes: their whole value fits in this first block.
  std::array<unsigned char, 4096> first_block_;
  bj::monotonic_resource arena_{first_block_.data(), first_block_.size()};
  capped_resource stack_memory_; // the parser's stack, on the heap: freed as it grows
  capped_resource value_memory_; // the value, in the arena: dropped at once with this object
  // In the arena from the start, so that release() moves into it rather than copies.
  bj::value value_ = bj::value(bj::storage_ptr(&value_memory_));
  std::string error_;
};

// `must be one of "a", "b"` for the words of an enum ("" marks a value that is not used).
std::string one_of(const std::string_view* words, std::size_t n);

// Reads the fields of one JSON object, as field_reader reads a payload: the first failure is
// kept as the reason, naming the message type and the field's path (`join: "replay.epoch" ...`),
// and after it every read does nothing. Nested readers share the parent's error. finish()
// refuses any field nobody read, so a misspelt optional field ("replays") is not lost silently.
class object_reader {
public:
  object_reader(const bj::object& object, std::string_view type, std::string path,
                std::string& error)
      : object_(&object), type_(type), path_(std::move(path)), error_(&error) {}

  bool ok() const { return error_->empty(); }

  // A field read elsewhere ("type").
  void known(const char* key) { used_.push_back(key); }
  // An optional field: present or not, it counts as read.
  bool has(const char* key);

  void u16(const char* key, uint16_t& out);
  void u32(const char* key, uint32_t& out);
  // 64-bit values: a decimal string (what the writer sends) or an integer.
  void u64(const char* key, uint64_t& out);
  // A string of at most `max_bytes` bytes of UTF-8 (str8: 255, str16: 65535, text: the frame).
  void string(const char* key, std::string& out, std::size_t max_bytes);
  // The same for a list entry, `path` naming it ("names[2]").
  void string(const bj::value& v, const std::string& path, std::string& out, std::size_t max_bytes);

  // An enum spelt as one of `words`, indexed by its wire value.
  template <class Enum, std::size_t N>
  void word(const char* key, const std::array<std::string_view, N>& words, Enum& out) {
    auto* v = field(key);
    if (!v) return;
    if (auto* s = v->if_string(); s && !s->empty()) {
      auto it = std::find(words.begin(), words.end(), view(*s));
      if (it != words.end()) {
        out = static_cast<Enum>(it - words.begin());
        return;
      }
    }
    fail(path_ + key, one_of(words.data(), words.size()));
  }

  // A list: an array of at most 65535 entries (its count is a u16 on the wire).
  const bj::array* array(const char* key);
  // A nested object, or a list entry that must be one, read by a reader of its own.
  std::optional<object_reader> object(const char* key);
  std::optional<object_reader> object(const bj::value& v, const std::string& path);

  // Refuses the first field that no read asked for.
  void finish();

  void fail(const std::string& path, const std::string& what);

private:
  const bj::value* field(const char* key);
  bool number(const char* key, uint64_t max, uint64_t& out);

  const bj::object* object_;
  std::string_view type_;
  std::string path_; // "" at the top, "replay." or "entries[3]." inside
  std::string* error_;
  std::vector<std::string_view> used_;
};

} // namespace chat::json
