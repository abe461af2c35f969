// json_library_benchmark.cpp -- Google Benchmark: Boost.JSON (as the WebSocket gateway uses it)
// against nlohmann-json and simdjson on the gateway's own messages (issue "Web": which JSON
// library, measured). Optional: built only when nlohmann-json3-dev and libsimdjson-dev are found.
//
// Per message: parse one text and read every field the gateway reads (strictly: an unknown,
// missing or wrong-typed field refuses the message, and strings must be valid UTF-8); write one
// MSG delivery; and, for context, the project's whole mapping (frame_from_json, json_from_frame).
// `--behaviour` prints what each library does with invalid UTF-8, a duplicate key, nesting past 8
// levels and a size bound, then exits. Figures: BENCHMARKS.md "JSON libraries for the gateway".
// The messages, the readers and the writers: json_library_fixtures.hpp.
#include "tests/benchmarks/json_library_fixtures.hpp"

#include "messages/frame.hpp"
#include "messages/json_fields.hpp"
#include "messages/protocol_json.hpp"
#include "messages/protocol_v2.hpp"

#include <benchmark/benchmark.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

// Named, not anonymous: a unity build puts this file beside json_library_fixtures.cpp.
namespace json_library_benchmark {

using namespace json_library_fixtures;

namespace bj = boost::json;
namespace sd = simdjson;

// ---- checks: every reader reads the same fields, every writer writes the same object ------------

bool self_check(const std::vector<reader>& rs) {
  bool ok = true;
  for (const auto& s : samples()) {
    owned_fields first;
    if (!rs[0].read(s, &first)) {
      std::fprintf(stderr, "%s refuses %s\n", rs[0].name, s.name);
      ok = false;
      continue;
    }
    for (const auto& r : rs) {
      owned_fields f;
      if (!r.read(s, &f) || !(f == first)) {
        std::fprintf(stderr, "%s reads %s differently\n", r.name, s.name);
        ok = false;
      }
    }
    auto frame = chat::json::frame_from_json(s.json, s.from);
    if (!std::holds_alternative<chat::frame>(frame)) {
      std::fprintf(stderr, "frame_from_json refuses %s\n", s.name);
      ok = false;
    }
  }
  auto parsed_expected = bj::parse(expected_delivery_json());
  for (const auto& w : writers)
    if (bj::parse(w.write(delivery())) != parsed_expected) {
      std::fprintf(stderr, "%s writes another delivery\n", w.name);
      ok = false;
    }
  if (write_boost_gateway(delivery()) != expected_delivery_json() ||
      write_nlohmann<nlohmann::ordered_json>(delivery()) != expected_delivery_json()) {
    std::fprintf(stderr, "the delivery is not written in wire order\n");
    ok = false;
  }
  auto project = chat::json::json_from_frame(chat::v2::encode(delivery()),
                                             chat::json::direction::server_to_client);
  auto* text = std::get_if<chat::json::json_text>(&project);
  if (!text || text->text != expected_delivery_json()) {
    std::fprintf(stderr, "json_from_frame writes another delivery\n");
    ok = false;
  }
  return ok;
}

// ---- --behaviour: what each library does with hostile input -------------------------------------

void print_behaviour() {
  const std::string bad_utf8 = "{\"type\":\"login\",\"name\":\"a\xff\"}";
  const std::string twice = R"({"type":"login","name":"ann","name":"bob"})";
  const std::string trailing = R"({"type":"login","name":"ann"} x)";
  const std::string deep9 = "[[[[[[[[[1]]]]]]]]]"; // 9 levels, one past the gateway's 8
  const std::string deep100k = std::string(100000, '[') + "1" + std::string(100000, ']');

  std::printf("input                 | library            | result\n");
  auto row = [](const char* input, const char* lib, const std::string& result) {
    std::printf("%-21s | %-18s | %s\n", input, lib, result.c_str());
  };
  struct input {
    const char* name;
    const std::string* text;
  };
  const std::array<input, 5> inputs = {{{"invalid UTF-8 string", &bad_utf8},
                                        {"duplicate \"name\"", &twice},
                                        {"data after the object", &trailing},
                                        {"9 levels", &deep9},
                                        {"100,000 levels", &deep100k}}};
  for (const auto& in : inputs) {
    const std::string& t = *in.text;
    {
      chat::json::parsed_json p{t};
      std::string r = p.value() ? "parsed" : "refused: " + p.error();
      if (auto* v = p.value(); v && v->is_object() && v->as_object().contains("name"))
        r += ", " + std::to_string(v->as_object().size()) +
             " members, name=" + bj::serialize(v->as_object().at("name"));
      row(in.name, "boost gateway", r);
    }
    {
      bj::error_code ec;
      auto v = bj::parse(t, ec);
      std::string r = ec ? "refused: " + ec.message() : "parsed";
      if (!ec && v.is_object())
        r += ", " + std::to_string(v.as_object().size()) +
             " members, name=" + bj::serialize(v.as_object().at("name"));
      row(in.name, "boost defaults", r);
    }
    {
      auto j = nlohmann::json::parse(t, nullptr, false);
      std::string r = j.is_discarded() ? "refused" : "parsed";
      try {
        auto again = nlohmann::json::parse(t);
        benchmark::DoNotOptimize(again);
      } catch (const std::exception& e) {
        r += std::string{": "} + e.what();
      }
      if (!j.is_discarded() && j.is_object())
        r += ", " + std::to_string(j.size()) + " members, name=" + j["name"].dump();
      row(in.name, "nlohmann", r);
    }
    {
      sd::dom::parser parser;
      if (parser.allocate(t.size() + 64, chat::json::max_depth)) std::abort();
      sd::dom::element e;
      auto err = parser.parse(t).get(e);
      std::string r = err ? std::string{"refused: "} + sd::error_message(err) : "parsed";
      if (!err && e.is_object()) {
        std::string_view name;
        sd::dom::object o;
        if (e.get_object().get(o) || o["name"].get_string().get(name)) std::abort();
        r += ", " + std::to_string(o.size()) + " members, name=\"" + std::string{name} +
             "\" (first match)";
      }
      row(in.name, "simdjson dom (8)", r);
    }
    {
      sd::ondemand::parser parser;
      sd::padded_string padded{t};
      sd::ondemand::document doc;
      auto err = parser.iterate(padded).get(doc);
      std::string r;
      if (!err) {
        sd::ondemand::object o;
        std::string_view name;
        if (!(err = doc.get_object().get(o))) {
          err = o["name"].get_string().get(name);
          if (!err) r = "name=\"" + std::string{name} + "\" (first match)";
        } else if (err == sd::INCORRECT_TYPE) { // an array: walk down to the innermost value
          std::size_t levels = 0;
          while (levels < t.size() && t[levels] == '[')
            ++levels;
          sd::ondemand::document again;
          sd::ondemand::array a;
          sd::ondemand::value first;
          err = parser.iterate(padded).get(again);
          if (!err) err = again.get_array().get(a);
          for (std::size_t level = 1; !err && level <= levels; ++level) {
            sd::ondemand::array_iterator it;
            if (!(err = a.begin().get(it))) err = (*it).get(first);
            if (!err && level < levels) err = first.get_array().get(a);
          }
          int64_t one = 0;
          if (!err) err = first.get_int64().get(one);
          if (!err) r = "innermost value read";
        }
      }
      row(in.name, "simdjson ondemand",
          err ? std::string{"refused: "} + sd::error_message(err)
              : (r.empty() ? "parsed" : "parsed, " + r));
    }
  }
  sd::dom::parser small{1024};
  std::string big(2000, ' ');
  big += "{}";
  sd::dom::element e;
  std::printf("size bound: simdjson dom::parser{1024} on 2,002 bytes: %s\n",
              sd::error_message(small.parse(big).get(e)));
}

// ---- the benchmarks -----------------------------------------------------------------------------

void register_all(const std::vector<reader>& rs) {
  for (const auto& r : rs)
    for (const auto& s : samples())
      benchmark::RegisterBenchmark((std::string{"read/"} + r.name + "/" + s.name).c_str(),
                                   [](benchmark::State& state, const reader* r, const sample* s) {
                                     for (auto _ : state) {
                                       bool ok = r->read(*s, nullptr);
                                       benchmark::DoNotOptimize(ok);
                                     }
                                     if (!r->read(*s, nullptr)) state.SkipWithError("refused");
                                   },
                                   &r, &s);
  for (const auto& s : samples())
    benchmark::RegisterBenchmark((std::string{"read/project_frame_from_json/"} + s.name).c_str(),
                                 [](benchmark::State& state, const sample* s) {
                                   for (auto _ : state) {
                                     auto f = chat::json::frame_from_json(s->json, s->from);
                                     benchmark::DoNotOptimize(f);
                                   }
                                 },
                                 &s);
  for (const auto& w : writers)
    benchmark::RegisterBenchmark((std::string{"write/"} + w.name + "/delivery_64").c_str(),
                                 [](benchmark::State& state, const writer* w) {
                                   for (auto _ : state) {
                                     auto text = w->write(delivery());
                                     benchmark::DoNotOptimize(text.data());
                                   }
                                 },
                                 &w);
  benchmark::RegisterBenchmark(
      "write/project_json_from_frame/delivery_64", [](benchmark::State& state) {
        auto frame = chat::v2::encode(delivery());
        for (auto _ : state) {
          auto text = chat::json::json_from_frame(frame, chat::json::direction::server_to_client);
          benchmark::DoNotOptimize(text);
        }
      });
}

} // namespace json_library_benchmark

#define CHAT_STRING_OF(x) #x
#define CHAT_VERSION_STRING(x) CHAT_STRING_OF(x)

int main(int argc, char** argv) {
  using namespace json_library_benchmark;
  for (int i = 1; i < argc; ++i)
    if (std::string_view{argv[i]} == "--behaviour") {
      print_behaviour();
      return 0;
    }
  static const auto rs = readers();
  if (!self_check(rs)) return 1;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // dom parses in libsimdjson, with the kernel picked for this CPU at run time; On Demand's code
  // is compiled here, for the target of this build (generic x86-64 unless -march says more).
  // (simdjson::builtin_implementation() would name libsimdjson's own, not this file's.)
  std::printf("simdjson %s: dom kernel %s, On Demand kernel %s\n",
              CHAT_VERSION_STRING(SIMDJSON_VERSION),
              sd::get_active_implementation()->name().c_str(),
              CHAT_VERSION_STRING(SIMDJSON_BUILTIN_IMPLEMENTATION));
  register_all(rs);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
