// base64url_test.cpp -- the strict unpadded base64url of auth/base64url.hpp: RFC 4648's test
// vectors, every length round trip, and each non-canonical spelling refused.
#include "auth/base64url.hpp"

#include <gtest/gtest.h>

namespace chat::auth {
namespace {

TEST(Base64urlTest, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("fooba"), "Zm9vYmE");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8"); // the two characters base64 spells + and /
}

TEST(Base64urlTest, EveryLengthRoundTrips) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    auto back = base64url_decode(base64url_encode(bytes));
    ASSERT_TRUE(back.has_value()) << i;
    EXPECT_EQ(*back, bytes);
    bytes += static_cast<char>(i * 37 + 11);
  }
}

TEST(Base64urlTest, RefusesNonCanonicalSpellings) {
  EXPECT_FALSE(base64url_decode("Zg=="));  // padding
  EXPECT_FALSE(base64url_decode("+/8"));   // base64's alphabet, not base64url's
  EXPECT_FALSE(base64url_decode("Zm9vY")); // 4n+1 characters
  EXPECT_FALSE(base64url_decode("Zh"));    // "f" with a stray low bit
  EXPECT_FALSE(base64url_decode("Zm9"));   // "fo" is "Zm8": the last 2 bits must be zero
  EXPECT_FALSE(base64url_decode("Zm8 "));  // white space
  EXPECT_FALSE(base64url_decode("Zm8\n"));
  EXPECT_EQ(base64url_decode("Zm8"), "fo");
}

} // namespace
} // namespace chat::auth
