// codec_benchmark.cpp -- Google Benchmark: the frame decoder and encoder at 16 B, 64 B, 1 KiB and
// 64 KiB frames (whole frame sizes, header included), and the UTF-8 check every text payload
// gets.
#include "messages/frame_decoder.hpp"
#include "messages/frame_encoder.hpp"
#include "messages/utf8.hpp"

#include <benchmark/benchmark.h>

#include <vector>

namespace {

// About 1 MiB of back-to-back frames of `frame_size` bytes each.
std::vector<char> stream_of(std::size_t frame_size, std::size_t* frames) {
  std::vector<char> out;
  std::string payload(frame_size - chat::header_size, 'x');
  *frames = std::max<std::size_t>(1, (1u << 20) / frame_size);
  for (std::size_t i = 0; i < *frames; ++i)
    chat::encode_into(out, static_cast<uint8_t>(chat::frame_type::broadcast_msg), payload);
  return out;
}

// Fed in 64 KiB chunks, as the transport's read buffer delivers it: frames split at chunk ends.
void decode(benchmark::State& state) {
  auto frame_size = static_cast<std::size_t>(state.range(0));
  std::size_t frames = 0;
  auto stream = stream_of(frame_size, &frames);
  constexpr std::size_t chunk = 64 * 1024;
  for (auto _ : state) {
    chat::frame_decoder decoder{1 << 20};
    std::size_t seen = 0;
    for (std::size_t at = 0; at < stream.size(); at += chunk)
      decoder.feed(stream.data() + at, std::min(chunk, stream.size() - at),
                   [&seen](uint8_t, std::string_view p) {
                     benchmark::DoNotOptimize(p.data());
                     ++seen;
                   });
    if (seen != frames) state.SkipWithError("decoder lost frames");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * stream.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * frames));
}
BENCHMARK(decode)->Arg(16)->Arg(64)->Arg(1024)->Arg(65536);

// A chat line of `range(0)` bytes: ASCII (range(1) 0), or with an "é" every 16 bytes (1).
void utf8_check(benchmark::State& state) {
  auto size = static_cast<std::size_t>(state.range(0));
  std::string text(size, 'x');
  if (state.range(1) == 1)
    for (std::size_t at = 0; at + 2 <= size; at += 16)
      text.replace(at, 2, "\xC3\xA9");
  for (auto _ : state)
    if (!chat::is_valid_utf8(text)) state.SkipWithError("valid text refused");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}
BENCHMARK(utf8_check)->Args({64, 0})->Args({1024, 0})->Args({64, 1})->Args({1024, 1});

// What the transport's read path really does per frame: decode, then copy the payload into the
// inbound_frame message handed to the session.
void decode_into_messages(benchmark::State& state) {
  auto frame_size = static_cast<std::size_t>(state.range(0));
  std::size_t frames = 0;
  auto stream = stream_of(frame_size, &frames);
  constexpr std::size_t chunk = 64 * 1024;
  for (auto _ : state) {
    chat::frame_decoder decoder{1 << 20};
    for (std::size_t at = 0; at < stream.size(); at += chunk)
      decoder.feed(stream.data() + at, std::min(chunk, stream.size() - at),
                   [](uint8_t type, std::string_view p) {
                     chat::inbound_frame f{type, std::string{p}};
                     benchmark::DoNotOptimize(f.payload.data());
                   });
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * stream.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * frames));
}
BENCHMARK(decode_into_messages)->Arg(16)->Arg(64)->Arg(1024)->Arg(65536);

// One shared frame per call, as the room makes one per broadcast.
void encode_broadcast(benchmark::State& state) {
  auto frame_size = static_cast<std::size_t>(state.range(0));
  std::string text(frame_size - chat::header_size - 5, 'x'); // "ann: " + text
  for (auto _ : state) {
    auto f = chat::encode_broadcast("ann", text);
    benchmark::DoNotOptimize(chat::bytes(f).data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * frame_size));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(encode_broadcast)->Arg(16)->Arg(64)->Arg(1024)->Arg(65536);

} // namespace

BENCHMARK_MAIN();
