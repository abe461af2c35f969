// bench_json.hpp -- chat-bench's one-line JSON report in tests: parsed with Boost.JSON, the
// library chat-bench writes it with, each figure looked up by its exact path. Used by
// chat_bench_test.cpp, chat_bench_v2_test.cpp (through bench_server.hpp), trivial_relay_test.cpp.
#pragma once

#include <boost/json/kind.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <gtest/gtest.h>

#include <cstddef>
#include <limits>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace chat::test {

// chat-bench's report: the last line of its stdout (progress goes to stderr).
inline std::string last_line(std::string out) {
  while (!out.empty() && out.back() == '\n')
    out.pop_back();
  return out.substr(out.rfind('\n') + 1); // npos + 1 == 0: the whole text
}

// The report, parsed. Figures are addressed by JSON Pointer (RFC 6901), e.g. "/sent",
// "/latency_us/p50", "/nodes/1/delivered": keys repeat at several depths ("delivered" is a
// total, a per-class, a per-node and a direct figure), so a lookup names which one it means.
// What the report does not have where a test looks fails that test (ADD_FAILURE, naming the
// path and the line) and reads as a value no expectation accepts.
class bench_report {
public:
  explicit bench_report(std::string line) : line_(std::move(line)) {
    std::error_code ec;
    value_ = boost::json::parse(line_, ec);
    if (ec || !value_.is_object()) {
      ADD_FAILURE() << "chat-bench's report is not one JSON object (" << ec.message()
                    << "): " << line_;
      value_ = boost::json::object{};
    }
  }

  const std::string& line() const { return line_; }

  // The value at `pointer`, or nullptr if there is none.
  const boost::json::value* find(std::string_view pointer) const {
    std::error_code ec;
    return value_.find_pointer({pointer.data(), pointer.size()}, ec);
  }

  // Whether the top-level object has `key` (version 2's keys are absent from version 1 runs).
  bool has(std::string_view key) const {
    return value_.as_object().contains({key.data(), key.size()});
  }

  // The number at `pointer`, integer or not; NaN, after a failure, if it is missing or null.
  double number(std::string_view pointer) const {
    auto v = find(pointer);
    if (v && v->is_number()) return v->to_number<double>();
    missing(pointer, v, "number");
    return std::numeric_limits<double>::quiet_NaN();
  }

  // The string at `pointer`; "" after a failure if there is none.
  std::string text(std::string_view pointer) const {
    auto v = find(pointer);
    if (v && v->is_string()) return std::string(v->get_string());
    missing(pointer, v, "string");
    return {};
  }

  // The boolean at `pointer`; false after a failure if there is none.
  bool flag(std::string_view pointer) const {
    auto v = find(pointer);
    if (v && v->is_bool()) return v->get_bool();
    missing(pointer, v, "boolean");
    return false;
  }

  // The length of the array at `pointer`; 0 after a failure if there is none.
  std::size_t size(std::string_view pointer) const {
    auto v = find(pointer);
    if (v && v->is_array()) return v->get_array().size();
    missing(pointer, v, "array");
    return 0;
  }

private:
  void missing(std::string_view pointer, const boost::json::value* found, const char* what) const {
    ADD_FAILURE() << "chat-bench's report has no " << what << " at " << pointer << " ("
                  << (found ? boost::json::to_string(found->kind()) : "no such key")
                  << "): " << line_;
  }

  std::string line_;
  boost::json::value value_;
};

// Test messages print the line as chat-bench wrote it.
inline std::ostream& operator<<(std::ostream& out, const bench_report& report) {
  return out << report.line();
}

} // namespace chat::test
