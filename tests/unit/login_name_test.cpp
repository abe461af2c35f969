// login_name_test.cpp -- login_name_error accepts valid names and gives PROTOCOL.md's reasons.
#include "messages/login_name.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace {

// The reason as a string, or "" for an accepted name, so failures print readably.
std::string reason(std::string_view name) {
  const char* r = chat::login_name_error(name);
  return r == nullptr ? std::string{} : std::string{r};
}

} // namespace

TEST(LoginNameTest, PlainNameIsAccepted) {
  EXPECT_EQ(chat::login_name_error("ann"), nullptr);
}

TEST(LoginNameTest, ThirtyTwoByteNameIsAccepted) {
  EXPECT_EQ(chat::login_name_error(std::string(chat::max_login_name, 'n')), nullptr);
  EXPECT_EQ(chat::max_login_name, 32u);
}

TEST(LoginNameTest, NonAsciiNameIsAccepted) {
  EXPECT_EQ(chat::login_name_error("Zo\xC3\xAB"), nullptr);
}

TEST(LoginNameTest, InnerSpaceIsAccepted) {
  EXPECT_EQ(chat::login_name_error("a b"), nullptr);
}

TEST(LoginNameTest, EmptyNameIsRejected) {
  EXPECT_EQ(reason(""), "empty name");
}

TEST(LoginNameTest, ThirtyThreeByteNameIsTooLong) {
  EXPECT_EQ(reason(std::string(33, 'n')), "name too long (at most 32 bytes)");
}

TEST(LoginNameTest, LengthCountsBytesNotCharacters) {
  std::string seventeen_e_acute;
  for (int i = 0; i < 17; ++i)
    seventeen_e_acute += "\xC3\xA9"; // 34 bytes, 17 characters
  EXPECT_EQ(reason(seventeen_e_acute), "name too long (at most 32 bytes)");
}

TEST(LoginNameTest, InvalidUtf8IsRejected) {
  EXPECT_EQ(reason("ann\xFF"), "name is not valid UTF-8");
  EXPECT_EQ(reason("\xC3"), "name is not valid UTF-8");
}

TEST(LoginNameTest, C0ControlIsRejected) {
  EXPECT_EQ(reason("\x01"
                   "abc"),
            "name contains control characters");
  EXPECT_EQ(reason(std::string_view{"a\0b", 3}), "name contains control characters");
}

TEST(LoginNameTest, DeleteIsRejected) {
  EXPECT_EQ(reason("a\x7F"), "name contains control characters");
}

TEST(LoginNameTest, C1ControlIsRejected) {
  EXPECT_EQ(reason("a\xC2\x85"), "name contains control characters"); // U+0085 NEL
  EXPECT_EQ(reason("\xC2\x9F"
                   "a"),
            "name contains control characters");
}

TEST(LoginNameTest, TabIsAControlNotASpace) {
  EXPECT_EQ(reason("\tann"), "name contains control characters");
}

TEST(LoginNameTest, LeadingSpaceIsRejected) {
  EXPECT_EQ(reason(" ann"), "name has leading or trailing white space");
}

TEST(LoginNameTest, TrailingSpaceIsRejected) {
  EXPECT_EQ(reason("ann "), "name has leading or trailing white space");
}

TEST(LoginNameTest, LeadingNoBreakSpaceIsRejected) {
  EXPECT_EQ(reason("\xC2\xA0"
                   "ann"),
            "name has leading or trailing white space");
}

TEST(LoginNameTest, TrailingNoBreakSpaceIsRejected) {
  EXPECT_EQ(reason("ann\xC2\xA0"), "name has leading or trailing white space");
}

// PROTOCOL.md: "no leading or trailing white space"; these are Unicode White_Space, not controls.
TEST(LoginNameTest, LeadingOrTrailingUnicodeSpaceIsRejected) {
  EXPECT_EQ(reason("\xE3\x80\x80"
                   "ann"),
            "name has leading or trailing white space");                            // U+3000
  EXPECT_EQ(reason("ann\xE2\x80\x83"), "name has leading or trailing white space"); // U+2003
}

TEST(LoginNameTest, SingleSpaceIsRejected) {
  EXPECT_EQ(reason(" "), "name has leading or trailing white space");
}

TEST(LoginNameTest, NonBreakingSpaceInsideIsAccepted) {
  EXPECT_EQ(chat::login_name_error("a\xC2\xA0"
                                   "b"),
            nullptr);
}
