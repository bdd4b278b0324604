#include "intake/domain/email.h"

#include <gtest/gtest.h>

namespace leadflow::intake {
namespace {

TEST(EmailTest, Normalize) {
  EXPECT_EQ(NormalizeEmail("  Ivan.Petrov@Example.RU \t"), "ivan.petrov@example.ru");
  EXPECT_EQ(NormalizeEmail("Иван@Почта.РФ"), "иван@почта.рф");
}

struct EmailCase {
  const char* email;
  bool valid;
};

class EmailSyntaxTest : public ::testing::TestWithParam<EmailCase> {};

TEST_P(EmailSyntaxTest, Syntax) {
  EXPECT_EQ(IsValidEmail(GetParam().email), GetParam().valid) << GetParam().email;
}

INSTANTIATE_TEST_SUITE_P(
    Table, EmailSyntaxTest,
    ::testing::Values(EmailCase{"a@b.ru", true}, EmailCase{"ivan.petrov@example.ru", true},
                      EmailCase{"first+tag@sub.example.com", true},
                      EmailCase{"o'neil@example.co.uk", true},
                      EmailCase{"user@xn--80ak6aa92e.com", true}, EmailCase{"user@почта.рф", true},
                      EmailCase{"", false}, EmailCase{"no-at-sign", false},
                      EmailCase{"two@@example.ru", false}, EmailCase{"a@b@example.ru", false},
                      EmailCase{"@example.ru", false}, EmailCase{"user@", false},
                      EmailCase{"user@localhost", false}, EmailCase{".user@example.ru", false},
                      EmailCase{"user.@example.ru", false}, EmailCase{"us..er@example.ru", false},
                      EmailCase{"user@-example.ru", false}, EmailCase{"user@example-.ru", false},
                      EmailCase{"user@example..ru", false}, EmailCase{"user@example.r", false},
                      EmailCase{"user@1.2.3.4", false}, EmailCase{"us er@example.ru", false},
                      EmailCase{"user@exa mple.ru", false}, EmailCase{"user@example.ru.", false}));

TEST(EmailTest, LocalPartLongerThan64IsInvalid) {
  EXPECT_TRUE(IsValidEmail(std::string(64, 'a') + "@example.ru"));
  EXPECT_FALSE(IsValidEmail(std::string(65, 'a') + "@example.ru"));
}

TEST(EmailTest, Domain) {
  EXPECT_EQ(EmailDomain("ivan@example.ru"), "example.ru");
  EXPECT_EQ(EmailDomain("nope"), "");
}

}  // namespace
}  // namespace leadflow::intake
