// channel_name_test.cpp -- channel_name_error accepts valid channel names and gives the reasons
// of channel_name.hpp, in order; char_classes.hpp's white space search.
#include "messages/channel_name.hpp"

#include "messages/char_classes.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace {

// The reason as a string, or "" for an accepted name, so failures print readably.
std::string channel_reason(std::string_view name) {
  const char* r = chat::channel_name_error(name);
  return r == nullptr ? std::string{} : std::string{r};
}

} // namespace

TEST(ChannelNameTest, PlainNamesAreAccepted) {
  EXPECT_EQ(channel_reason("dev"), "");
  EXPECT_EQ(channel_reason(chat::default_channel), "");
  EXPECT_EQ(channel_reason("#rust-lang_2024.eu"), "");
  EXPECT_EQ(channel_reason("x"), "");
}

TEST(ChannelNameTest, NonAsciiNamesAreAccepted) {
  EXPECT_EQ(channel_reason("caf\xC3\xA9"), "");
  EXPECT_EQ(channel_reason("\xE6\x97\xA5\xE6\x9C\xAC"), ""); // 日本
  EXPECT_EQ(channel_reason("\xF0\x9F\x98\x80"), "");         // U+1F600
}

TEST(ChannelNameTest, EmptyNameIsRejected) {
  EXPECT_EQ(channel_reason(""), "empty channel name");
}

TEST(ChannelNameTest, SixtyFourBytesIsTheLimit) {
  EXPECT_EQ(chat::max_channel_name, 64u);
  EXPECT_EQ(channel_reason(std::string(64, 'c')), "");
  EXPECT_EQ(channel_reason(std::string(65, 'c')), "channel name too long (at most 64 bytes)");
}

TEST(ChannelNameTest, LengthCountsBytesNotCharacters) {
  std::string e_acutes;
  for (int i = 0; i < 32; ++i)
    e_acutes += "\xC3\xA9"; // 64 bytes, 32 characters
  EXPECT_EQ(channel_reason(e_acutes), "");
  EXPECT_EQ(channel_reason(e_acutes + "\xC3\xA9"), "channel name too long (at most 64 bytes)");
}

TEST(ChannelNameTest, InvalidUtf8IsRejected) {
  EXPECT_EQ(channel_reason("dev\xFF"), "channel name is not valid UTF-8");
  EXPECT_EQ(channel_reason("\xC3"), "channel name is not valid UTF-8");         // truncated
  EXPECT_EQ(channel_reason("a\xC0\x80"), "channel name is not valid UTF-8");    // overlong NUL
  EXPECT_EQ(channel_reason("\xED\xA0\x80"), "channel name is not valid UTF-8"); // surrogate
}

TEST(ChannelNameTest, ControlCharactersAreRejected) {
  EXPECT_EQ(channel_reason("a\tb"), "channel name contains control characters");
  EXPECT_EQ(channel_reason("dev\n"), "channel name contains control characters");
  EXPECT_EQ(channel_reason(std::string_view{"a\0b", 3}),
            "channel name contains control characters");
  EXPECT_EQ(channel_reason("a\x7F"), "channel name contains control characters"); // DEL
  EXPECT_EQ(channel_reason("a\xC2\x85"
                           "b"),
            "channel name contains control characters"); // NEL
  EXPECT_EQ(channel_reason("\xC2\x9F"), "channel name contains control characters");
}

TEST(ChannelNameTest, WhiteSpaceAnywhereIsRejected) {
  EXPECT_EQ(channel_reason("a b"), "channel name contains white space");
  EXPECT_EQ(channel_reason(" dev"), "channel name contains white space");
  EXPECT_EQ(channel_reason("dev "), "channel name contains white space");
  EXPECT_EQ(channel_reason("a\xE3\x80\x80"
                           "b"),
            "channel name contains white space"); // U+3000
  EXPECT_EQ(channel_reason("a\xC2\xA0"
                           "b"),
            "channel name contains white space");                                 // NBSP
  EXPECT_EQ(channel_reason("\xE2\x80\xA8"), "channel name contains white space"); // U+2028
  EXPECT_EQ(channel_reason("\xE1\x9A\x80"), "channel name contains white space"); // U+1680
}

TEST(ChannelNameTest, ReasonsComeInOrder) {
  EXPECT_EQ(channel_reason(std::string(65, ' ')), "channel name too long (at most 64 bytes)");
  EXPECT_EQ(channel_reason("a b\xFF"), "channel name is not valid UTF-8");
  EXPECT_EQ(channel_reason("a b\t"), "channel name contains control characters");
}

TEST(ChannelNameTest, NamesAreNotFolded) {
  // Byte for byte: "Dev" and "dev" are two channels, both acceptable.
  EXPECT_EQ(channel_reason("Dev"), "");
  EXPECT_EQ(channel_reason("e\xCC\x81"), ""); // e + combining acute, not normalised to é
}

TEST(CharClassesTest, FindWhiteSpaceGivesTheOffset) {
  using chat::char_classes::find_white_space;
  EXPECT_EQ(find_white_space("abc"), std::string_view::npos);
  EXPECT_EQ(find_white_space("ab c"), 2u);
  EXPECT_EQ(find_white_space("\xC3\xA9\xE3\x80\x80"), 2u);
  EXPECT_EQ(find_white_space("\xC2\xA9"), std::string_view::npos); // © shares NBSP's lead byte
  EXPECT_TRUE(chat::char_classes::contains_white_space("x\xE2\x81\x9F"));
  EXPECT_FALSE(chat::char_classes::contains_white_space("\xE2\x82\xAC")); // €
}
