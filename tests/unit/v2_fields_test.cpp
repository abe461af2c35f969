// v2_fields_test.cpp -- field_writer's byte order and length prefixes, field_reader's first
// reason kept, and the clamp that keeps an over-long string a valid field (v2_fields.hpp).
#include "messages/v2_fields.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace v2 = chat::v2;

namespace {

std::string written(const std::vector<char>& out) {
  return std::string(out.begin(), out.end());
}

} // namespace

TEST(V2FieldsTest, IntegersAreLittleEndian) {
  std::vector<char> out;
  v2::field_writer w{out};
  w.u8(0xAB);
  w.u16(0x0102);
  w.u32(0x03040506);
  EXPECT_EQ(written(out), std::string("\xAB\x02\x01\x06\x05\x04\x03", 7));
}

TEST(V2FieldsTest, StringsHaveTheirLengthPrefix) {
  std::vector<char> out;
  v2::field_writer w{out};
  w.str8("ab");
  w.str16("c");
  w.text("");
  EXPECT_EQ(written(out), std::string("\x02"
                                      "ab"
                                      "\x01\x00"
                                      "c"
                                      "\x00\x00\x00\x00",
                                      10));
}

TEST(V2FieldsTest, ReaderReadsWhatWriterWrote) {
  std::vector<char> out;
  v2::field_writer w{out};
  w.u8(1);
  w.u16(0xFFFF);
  w.u32(0xFFFFFFFF);
  w.str8(std::string(255, 'a'));
  w.str16("\xC3\xA9");
  w.text("text");
  std::string payload = written(out); // the reader only views it
  v2::field_reader r{payload};
  uint8_t a = 0;
  uint16_t b = 0;
  uint32_t c = 0;
  std::string s8, s16, t;
  EXPECT_TRUE(r.u8("a", a) && r.u16("b", b) && r.u32("c", c));
  EXPECT_TRUE(r.str8("s8", s8) && r.str16("s16", s16) && r.text("t", t));
  EXPECT_TRUE(r.finish());
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 0xFFFF);
  EXPECT_EQ(c, 0xFFFFFFFFu);
  EXPECT_EQ(s8, std::string(255, 'a'));
  EXPECT_EQ(s16, "\xC3\xA9");
  EXPECT_EQ(t, "text");
}

TEST(V2FieldsTest, FirstReasonIsKeptAndLaterReadsFail) {
  v2::field_reader r{std::string_view("\x05"
                                      "ab",
                                      3)};
  std::string s = "unchanged";
  uint8_t x = 7;
  EXPECT_FALSE(r.str8("channel", s));
  EXPECT_FALSE(r.u8("other", x));
  EXPECT_FALSE(r.fail("other", "ignored"));
  EXPECT_FALSE(r.finish());
  EXPECT_EQ(r.error(), "channel: length 5 past the end of the payload");
  EXPECT_EQ(s, "unchanged");
  EXPECT_EQ(x, 7);
}

TEST(V2FieldsTest, FinishCountsTrailingBytes) {
  v2::field_reader one{"x"};
  EXPECT_FALSE(one.finish());
  EXPECT_EQ(one.error(), "1 byte after the last field");
  v2::field_reader three{"xyz"};
  EXPECT_FALSE(three.finish());
  EXPECT_EQ(three.error(), "3 bytes after the last field");
  v2::field_reader none{""};
  EXPECT_TRUE(none.finish());
  EXPECT_TRUE(none.ok());
}

TEST(V2FieldsTest, IndexedFieldNames) {
  v2::field_reader r{""};
  uint32_t v = 0;
  EXPECT_FALSE(r.u32({"members", 12}, v));
  EXPECT_EQ(r.error(), "members[12]: payload ends inside the field");
}

TEST(V2FieldsTest, FitCutsAtACodePointBoundary) {
  EXPECT_EQ(v2::fit("abc", 3), "abc");
  EXPECT_EQ(v2::fit("abc", 2), "ab");
  EXPECT_EQ(v2::fit("a\xC3\xA9", 2), "a");      // would split the two-byte é
  EXPECT_EQ(v2::fit("a\xE3\x80\x80z", 3), "a"); // would split U+3000
  EXPECT_EQ(v2::fit("a\xE3\x80\x80z", 4), "a\xE3\x80\x80");
  EXPECT_EQ(v2::fit("\xC3\xA9", 0), "");
}

TEST(V2FieldsTest, SizesMatchWhatIsWritten) {
  EXPECT_EQ(v2::str8_size(3), 4u);
  EXPECT_EQ(v2::str16_size(3), 5u);
  EXPECT_EQ(v2::text_size(3), 7u);
  EXPECT_EQ(v2::str8_size(1000), 256u); // clamped, as the writer would
}

// Over-long strings are the caller's bug: debug builds stop at the assert; release builds
// write the clamped string, whose prefix still matches its bytes.
TEST(V2FieldsTest, OverlongStringAssertsInDebugAndIsClampedInRelease) {
  std::vector<char> out;
  v2::field_writer w{out};
  std::string long_text = std::string(254, 'a') + "\xC3\xA9"; // 256 bytes, é across the bound
  EXPECT_DEBUG_DEATH(w.str8(long_text), "str8 field longer than 255 bytes");
#ifdef NDEBUG
  ASSERT_EQ(out.size(), 255u);
  EXPECT_EQ(static_cast<unsigned char>(out[0]), 254);
  std::string payload = written(out);
  v2::field_reader r{payload};
  std::string back;
  EXPECT_TRUE(r.str8("s", back) && r.finish());
  EXPECT_EQ(back, std::string(254, 'a'));
#endif
}
