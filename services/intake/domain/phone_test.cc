#include "intake/domain/phone.h"

#include <gtest/gtest.h>

namespace leadflow::intake {
namespace {

struct PhoneCase {
  const char* in;
  const char* want;  // nullptr = rejected
};

class PhoneTest : public ::testing::TestWithParam<PhoneCase> {};

TEST_P(PhoneTest, Normalize) {
  const auto got = NormalizePhone(GetParam().in);
  if (GetParam().want == nullptr) {
    EXPECT_FALSE(got.has_value()) << GetParam().in << " -> " << got.value_or("");
  } else {
    ASSERT_TRUE(got.has_value()) << GetParam().in;
    EXPECT_EQ(*got, GetParam().want);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, PhoneTest,
    ::testing::Values(PhoneCase{"+7 (495) 123-45-67", "+74951234567"},
                      PhoneCase{"8 (495) 123-45-67", "+74951234567"},
                      PhoneCase{"8-916-123-45-67", "+79161234567"},
                      PhoneCase{"89161234567", "+79161234567"},
                      PhoneCase{"79161234567", "+79161234567"},
                      PhoneCase{"+79161234567", "+79161234567"},
                      PhoneCase{"  +7 916 123 45 67 ", "+79161234567"},
                      PhoneCase{"+375 29 123-45-67", "+375291234567"},
                      PhoneCase{"+44 20 7946 0958", "+442079460958"}, PhoneCase{"", nullptr},
                      PhoneCase{"123-45-67", nullptr}, PhoneCase{"9161234567", nullptr},
                      PhoneCase{"+7 916 123 45 6", nullptr},
                      PhoneCase{"+7 916 123 45 678", nullptr}, PhoneCase{"8916123456", nullptr},
                      PhoneCase{"891612345678", nullptr}, PhoneCase{"+0123456789", nullptr},
                      PhoneCase{"+1234567", nullptr}, PhoneCase{"+1234567890123456", nullptr},
                      PhoneCase{"8 916 CALL ME", nullptr}, PhoneCase{"+7 916 123+45 67", nullptr},
                      PhoneCase{"ext. 8916", nullptr}, PhoneCase{"+", nullptr}));

}  // namespace
}  // namespace leadflow::intake
