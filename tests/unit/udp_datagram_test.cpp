// udp_datagram_test.cpp -- transport/udp_datagram: the exact bytes of each kind, the strict
// bounds, and stray bytes, wrong magic and truncated headers refused with their fault.
#include "transport/udp_datagram.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

namespace udp = chat::transport::udp;
using udp::datagram_fault;
using udp::datagram_kind;

const udp::datagram_limits codec_limits{};
const udp::nonce codec_nonce{1, 2, 3, 4, 5, 6, 7, 8};

udp::cookie sample_cookie() {
  udp::cookie c{};
  for (std::size_t i = 0; i < c.size(); ++i)
    c[i] = static_cast<uint8_t>(0xA0 + i);
  return c;
}

// One frame of the TCP codec: body_len (LE), type, payload.
std::string frame(uint8_t type, const std::string& payload) {
  auto n = static_cast<uint32_t>(payload.size() + 1);
  std::string f{static_cast<char>(n), static_cast<char>(n >> 8), static_cast<char>(n >> 16),
                static_cast<char>(n >> 24), static_cast<char>(type)};
  return f + payload;
}

udp::datagram decoded(std::string_view bytes) {
  auto d = udp::decode_datagram(bytes, codec_limits);
  EXPECT_TRUE(std::holds_alternative<udp::datagram>(d));
  return std::holds_alternative<udp::datagram>(d) ? std::get<udp::datagram>(d) : udp::datagram{};
}

datagram_fault fault(std::string_view bytes, const udp::datagram_limits& l = codec_limits) {
  auto d = udp::decode_datagram(bytes, l);
  EXPECT_TRUE(std::holds_alternative<datagram_fault>(d));
  return std::holds_alternative<datagram_fault>(d) ? std::get<datagram_fault>(d)
                                                   : datagram_fault::too_short;
}

TEST(UdpDatagramTest, WorkedExampleBytes) {
  auto hello = udp::encode_hello(codec_nonce);
  ASSERT_EQ(hello.size(), 64u);
  EXPECT_EQ(hello.substr(0, 11), std::string("\xCA\x02\x01\x01\x02\x03\x04\x05\x06\x07\x08", 11));
  EXPECT_EQ(hello.substr(11), std::string(53, '\0'));
  auto c = udp::encode_cookie(codec_nonce, sample_cookie());
  EXPECT_EQ(std::string(c.data(), 11),
            std::string("\xCA\x02\x02\x01\x02\x03\x04\x05\x06\x07\x08", 11));
  EXPECT_EQ(static_cast<uint8_t>(c[11]), 0xA0);
  EXPECT_EQ(static_cast<uint8_t>(c[30]), 0xB3);
  auto data = udp::encode_data(sample_cookie(), frame(5, "t"), 0x0102030405060708);
  ASSERT_EQ(data.size(), 31u + 6);
  EXPECT_EQ(data.substr(0, 3), "\xCA\x02\x03");
  EXPECT_EQ(data.substr(23, 8), "\x08\x07\x06\x05\x04\x03\x02\x01") << "little-endian";
  EXPECT_EQ(data.substr(31), std::string("\x02\x00\x00\x00\x05t", 6));
  auto close = udp::encode_close(sample_cookie());
  ASSERT_EQ(close.size(), 23u) << "a CLOSE has no sequence number";
  EXPECT_EQ(std::string(close.data(), 3), "\xCA\x02\x04");
}

TEST(UdpDatagramTest, EachKindRoundTrips) {
  auto h = decoded(udp::encode_hello(codec_nonce, 1200));
  EXPECT_EQ(h.kind, datagram_kind::hello);
  EXPECT_EQ(h.echo, codec_nonce);
  auto cd = udp::encode_cookie(codec_nonce, sample_cookie());
  auto c = decoded({cd.data(), cd.size()});
  EXPECT_EQ(c.kind, datagram_kind::cookie);
  EXPECT_EQ(c.echo, codec_nonce);
  EXPECT_EQ(c.cookie, sample_cookie());
  auto frames = frame(2, "hello") + frame(5, "") + frame(10, std::string(300, 'x'));
  auto data = udp::encode_data(sample_cookie(), frames, 0xFFFFFFFFFFFFFFFE);
  auto d = decoded(data);
  EXPECT_EQ(d.kind, datagram_kind::data);
  EXPECT_EQ(d.cookie, sample_cookie());
  EXPECT_EQ(d.sequence, 0xFFFFFFFFFFFFFFFEu);
  EXPECT_EQ(d.frames, frames);
  auto first = udp::take_frame(d.frames);
  EXPECT_EQ(first.type, 2);
  EXPECT_EQ(first.payload, "hello");
  EXPECT_EQ(udp::take_frame(d.frames).payload, "");
  EXPECT_EQ(udp::take_frame(d.frames).payload.size(), 300u);
  EXPECT_TRUE(d.frames.empty());
  auto prefix = udp::encode_data_prefix(sample_cookie(), 7);
  udp::set_sequence(prefix, 0xFFFFFFFFFFFFFFFE); // a sender numbers each DATA in its prefix
  EXPECT_EQ(std::string(prefix.data(), prefix.size()), data.substr(0, 31));
  auto cl = udp::encode_close(sample_cookie());
  auto x = decoded({cl.data(), cl.size()});
  EXPECT_EQ(x.kind, datagram_kind::close);
  EXPECT_EQ(x.cookie, sample_cookie());
}

TEST(UdpDatagramTest, StrayBytesWrongMagicAndTruncatedHeadersAreRefused) {
  EXPECT_EQ(fault(""), datagram_fault::too_short);
  EXPECT_EQ(fault("\xCA"), datagram_fault::too_short);
  EXPECT_EQ(fault("\xCA\x01"), datagram_fault::too_short);
  EXPECT_EQ(fault("GET / HTTP/1.1\r\n"), datagram_fault::wrong_magic);
  auto hello = udp::encode_hello(codec_nonce);
  hello[1] = 1; // the first version: its DATA had no sequence number
  EXPECT_EQ(fault(hello), datagram_fault::wrong_version);
  hello[1] = 3;
  EXPECT_EQ(fault(hello), datagram_fault::wrong_version);
  hello[1] = 2;
  for (uint8_t k : {0, 5, 255}) {
    hello[2] = static_cast<char>(k);
    EXPECT_EQ(fault(hello), datagram_fault::unknown_kind) << int{k};
  }
}

TEST(UdpDatagramTest, HelloBelowTheMinimumIsRefused) {
  auto hello = udp::encode_hello(codec_nonce);
  EXPECT_EQ(fault(hello.substr(0, 63)), datagram_fault::short_hello);
  EXPECT_EQ(fault(hello.substr(0, 3)), datagram_fault::short_hello);
  EXPECT_EQ(udp::encode_hello(codec_nonce, 10).size(), udp::min_hello_size) << "padded up";
}

TEST(UdpDatagramTest, SizeBounds) {
  EXPECT_EQ(fault(udp::encode_hello(codec_nonce, 1201)), datagram_fault::too_large);
  decoded(udp::encode_hello(codec_nonce, 1200));
  EXPECT_EQ(fault(udp::encode_hello(codec_nonce, 300), {256, 65536}), datagram_fault::too_large);
  auto cd = udp::encode_cookie(codec_nonce, sample_cookie());
  std::string c{cd.data(), cd.size()};
  EXPECT_EQ(fault(c.substr(0, 30)), datagram_fault::too_short);
  EXPECT_EQ(fault(c + "x"), datagram_fault::wrong_size);
  auto cl = udp::encode_close(sample_cookie());
  std::string close{cl.data(), cl.size()};
  EXPECT_EQ(fault(close.substr(0, 22)), datagram_fault::too_short);
  EXPECT_EQ(fault(close + "x"), datagram_fault::wrong_size);
}

TEST(UdpDatagramTest, DataHoldsOnlyWholeFramesWithinMaxFrame) {
  auto c = sample_cookie();
  EXPECT_EQ(fault(udp::encode_data(c, "").substr(0, 22)), datagram_fault::too_short);
  EXPECT_EQ(fault(udp::encode_data(c, "").substr(0, 30)), datagram_fault::too_short)
      << "a sequence number cut short";
  EXPECT_EQ(fault(udp::encode_data(c, "")), datagram_fault::no_frames);
  auto f = frame(2, "hello");
  EXPECT_EQ(fault(udp::encode_data(c, f + "\x01")), datagram_fault::bad_frame) << "stray tail";
  EXPECT_EQ(fault(udp::encode_data(c, f.substr(0, 8))), datagram_fault::bad_frame) << "cut";
  EXPECT_EQ(fault(udp::encode_data(c, std::string("\0\0\0\0", 4) + "\x02")),
            datagram_fault::bad_frame)
      << "body_len 0";
  EXPECT_EQ(fault(udp::encode_data(c, "\xFF\xFF\xFF\xFF\x02")), datagram_fault::bad_frame)
      << "negative body_len";
  EXPECT_EQ(fault(udp::encode_data(c, frame(2, std::string(100, 'x'))), {1200, 100}),
            datagram_fault::bad_frame)
      << "body_len past max_frame";
  decoded(udp::encode_data(c, frame(2, std::string(99, 'x'))));
}

TEST(UdpDatagramTest, EveryFaultHasAText) {
  for (int f = 0; f <= static_cast<int>(datagram_fault::bad_frame); ++f)
    EXPECT_STRNE(udp::datagram_fault_text(static_cast<datagram_fault>(f)), "datagram fault");
}

} // namespace
