// utf8_test.cpp -- is_valid_utf8 accepts well-formed UTF-8 and rejects every malformed kind.
#include "messages/utf8.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

TEST(Utf8Test, EmptyStringIsValid) {
  EXPECT_TRUE(chat::is_valid_utf8(""));
}

TEST(Utf8Test, AsciiIsValid) {
  EXPECT_TRUE(chat::is_valid_utf8("hello, world ~"));
}

TEST(Utf8Test, EmbeddedNulIsValid) {
  EXPECT_TRUE(chat::is_valid_utf8(std::string_view{"a\0b", 3}));
}

TEST(Utf8Test, TwoByteSequenceIsValid) {
  EXPECT_TRUE(chat::is_valid_utf8("\xC3\xA9"));    // é U+00E9
  EXPECT_TRUE(chat::is_valid_utf8("caf\xC3\xA9")); // after ASCII
}

TEST(Utf8Test, ThreeByteSequenceIsValid) {
  EXPECT_TRUE(chat::is_valid_utf8("\xE2\x82\xAC")); // € U+20AC
}

TEST(Utf8Test, FourByteSequenceIsValid) {
  EXPECT_TRUE(chat::is_valid_utf8("\xF0\x9F\x98\x80")); // 😀 U+1F600
}

TEST(Utf8Test, MixedTextIsValid) {
  EXPECT_TRUE(chat::is_valid_utf8("Zo\xC3\xAB pays 5\xE2\x82\xAC \xF0\x9F\x98\x80!"));
}

TEST(Utf8Test, BoundaryCodePointsAreValid) {
  EXPECT_TRUE(chat::is_valid_utf8("\x7F"));             // U+007F
  EXPECT_TRUE(chat::is_valid_utf8("\xC2\x80"));         // U+0080, smallest 2-byte
  EXPECT_TRUE(chat::is_valid_utf8("\xE0\xA0\x80"));     // U+0800, smallest 3-byte
  EXPECT_TRUE(chat::is_valid_utf8("\xED\x9F\xBF"));     // U+D7FF, just below the surrogates
  EXPECT_TRUE(chat::is_valid_utf8("\xEE\x80\x80"));     // U+E000, just above them
  EXPECT_TRUE(chat::is_valid_utf8("\xF0\x90\x80\x80")); // U+10000, smallest 4-byte
  EXPECT_TRUE(chat::is_valid_utf8("\xF4\x8F\xBF\xBF")); // U+10FFFF, the last code point
}

TEST(Utf8Test, LoneContinuationByteIsInvalid) {
  EXPECT_FALSE(chat::is_valid_utf8("\x80"));
  EXPECT_FALSE(chat::is_valid_utf8("a\xBF"
                                   "b"));
}

TEST(Utf8Test, OverlongTwoByteFormIsInvalid) {
  EXPECT_FALSE(chat::is_valid_utf8("\xC0\xAF")); // '/' in two bytes
  EXPECT_FALSE(chat::is_valid_utf8("\xC1\xBF"));
}

TEST(Utf8Test, OverlongThreeByteFormIsInvalid) {
  EXPECT_FALSE(chat::is_valid_utf8("\xE0\x80\xAF"));
  EXPECT_FALSE(chat::is_valid_utf8("\xE0\x9F\xBF")); // U+07FF in three bytes
}

TEST(Utf8Test, OverlongFourByteFormIsInvalid) {
  EXPECT_FALSE(chat::is_valid_utf8("\xF0\x8F\xBF\xBF")); // U+FFFF in four bytes
}

TEST(Utf8Test, SurrogateIsInvalid) {
  EXPECT_FALSE(chat::is_valid_utf8("\xED\xA0\x80")); // U+D800
  EXPECT_FALSE(chat::is_valid_utf8("\xED\xBF\xBF")); // U+DFFF
}

TEST(Utf8Test, CodePointAboveMaxIsInvalid) {
  EXPECT_FALSE(chat::is_valid_utf8("\xF4\x90\x80\x80")); // U+110000
}

TEST(Utf8Test, LeadBytesF5ToFFAreInvalid) {
  EXPECT_FALSE(chat::is_valid_utf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(chat::is_valid_utf8("\xF8\x88\x80\x80\x80"));
  EXPECT_FALSE(chat::is_valid_utf8("\xFE"));
  EXPECT_FALSE(chat::is_valid_utf8("\xFF"));
}

TEST(Utf8Test, TruncatedSequenceAtEndIsInvalid) {
  EXPECT_FALSE(chat::is_valid_utf8("\xE2\x82"));
  EXPECT_FALSE(chat::is_valid_utf8("ok\xF0\x9F\x98"));
  EXPECT_FALSE(chat::is_valid_utf8("\xC3"));
}

TEST(Utf8Test, SequenceCutByTheViewEndIsInvalid) {
  // The bytes after the view would complete the sequence: only the view counts.
  const std::string euro = "\xE2\x82\xAC";
  EXPECT_FALSE(chat::is_valid_utf8(std::string_view{euro.data(), 2}));
  EXPECT_FALSE(chat::is_valid_utf8(std::string_view{euro.data(), 1}));
  EXPECT_TRUE(chat::is_valid_utf8(std::string_view{euro.data(), 3}));
}

TEST(Utf8Test, BadContinuationByteIsInvalid) {
  EXPECT_FALSE(chat::is_valid_utf8("\xE2\x28\xA1"));
  EXPECT_FALSE(chat::is_valid_utf8("\xC3\x28"));
  EXPECT_FALSE(chat::is_valid_utf8("\xF0\x9F\x98\x28"));
}

TEST(Utf8Test, InvalidByteAfterValidTextIsFound) {
  EXPECT_FALSE(chat::is_valid_utf8("caf\xC3\xA9 \xFF"));
}

// ASCII goes eight bytes at a time: a non-ASCII byte at every position of a 24-byte text, on
// either side of each eight-byte boundary, is still judged as a sequence.
TEST(Utf8Test, NonAsciiIsFoundAtEveryPositionPastTheWordSkip) {
  for (std::size_t at = 0; at < 24; ++at) {
    std::string text(24, 'a');
    text[at] = '\xFF';
    EXPECT_FALSE(chat::is_valid_utf8(text)) << "0xFF at " << at;
    text = std::string(24, 'a');
    text.replace(at, 1, "\xC3\xA9"); // one valid two-byte sequence
    EXPECT_TRUE(chat::is_valid_utf8(text)) << "U+00E9 at " << at;
    text = std::string(at, 'a') + "\xE2\x82"; // a sequence the end cuts short
    EXPECT_FALSE(chat::is_valid_utf8(text)) << "cut at " << at;
  }
}
