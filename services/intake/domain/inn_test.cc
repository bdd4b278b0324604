#include "intake/domain/inn.h"

#include <gtest/gtest.h>

namespace leadflow::intake {
namespace {

TEST(InnTest, ValidTenDigit) {
  EXPECT_EQ(CheckInn("7707083893"), InnCheck::kValid);  // Sberbank
  EXPECT_EQ(CheckInn("7736050003"), InnCheck::kValid);
  EXPECT_EQ(CheckInn("7708503727"), InnCheck::kValid);
}

TEST(InnTest, TenDigitChecksumMismatch) {
  EXPECT_EQ(CheckInn("7707083894"), InnCheck::kBadChecksum);
  EXPECT_EQ(CheckInn("7707083883"), InnCheck::kBadChecksum);
}

TEST(InnTest, TwelveDigit) {
  EXPECT_EQ(CheckInn("500100732259"), InnCheck::kValid);
  EXPECT_EQ(CheckInn("500100732249"), InnCheck::kBadChecksum);  // 11th digit wrong
  EXPECT_EQ(CheckInn("500100732258"), InnCheck::kBadChecksum);  // 12th digit wrong
}

TEST(InnTest, Format) {
  EXPECT_EQ(CheckInn(""), InnCheck::kBadFormat);
  EXPECT_EQ(CheckInn("770708389"), InnCheck::kBadFormat);
  EXPECT_EQ(CheckInn("77070838931"), InnCheck::kBadFormat);
  EXPECT_EQ(CheckInn("5001007322590"), InnCheck::kBadFormat);
  EXPECT_EQ(CheckInn("77070838a3"), InnCheck::kBadFormat);
  EXPECT_EQ(CheckInn("7707 08389"), InnCheck::kBadFormat);
}

TEST(InnTest, AllZerosIsChecksumValid) {
  // The checksum alone cannot reject it; documented rather than special-cased.
  EXPECT_EQ(CheckInn("0000000000"), InnCheck::kValid);
}

}  // namespace
}  // namespace leadflow::intake
