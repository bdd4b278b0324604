#include "intake/domain/erasure_subject.h"

#include <gtest/gtest.h>

#include "intake/testing/intake_test_util.h"

namespace leadflow::intake {
namespace {

namespace pv1 = leadflow::privacy::v1;

TEST(ErasureSubject, EmailAndPhoneReachTheContactIdOfTheLead) {
  pv1::EraseContactRequest r;
  r.set_email("  Ivan.Petrov@Acme.RU ");
  auto id = ErasureContactId(r, testutil::TestContactIdKey());
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(*id, testutil::TestContactIdKey().ContactIdFor("ivan.petrov@acme.ru"));

  r.set_phone("8 (999) 123-45-67");
  id = ErasureContactId(r, testutil::TestContactIdKey());
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(*id, testutil::TestContactIdKey().ContactIdFor("+79991234567"));

  r.set_contact_id("c-0123456789abcdef");
  id = ErasureContactId(r, testutil::TestContactIdKey());
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "c-0123456789abcdef");
}

TEST(ErasureSubject, RefusesNamingTheFieldWithoutEchoingIt) {
  pv1::EraseContactRequest r;
  EXPECT_NE(ErasureContactId(r, testutil::TestContactIdKey()).status().message().find("contact_id, email or phone"),
            std::string::npos);
  r.set_email("not-an-email");
  auto s = ErasureContactId(r, testutil::TestContactIdKey()).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().rfind("email:", 0), 0u);
  EXPECT_EQ(s.message().find("not-an-email"), std::string::npos);
  r.set_phone("call me");
  EXPECT_EQ(ErasureContactId(r, testutil::TestContactIdKey()).status().message().rfind("phone:", 0), 0u);
  r.set_contact_id("ivan@acme.ru");
  EXPECT_EQ(ErasureContactId(r, testutil::TestContactIdKey()).status().message().rfind("contact_id:", 0), 0u);
  r.set_contact_id("c-0123456789abcdef");
  r.add_lead_ids("L-1 OR 1=1");
  EXPECT_EQ(ErasureContactId(r, testutil::TestContactIdKey()).status().message().rfind("lead_ids:", 0), 0u);
}

TEST(ErasureSubject, ARequestIdMakesTheErasureIdStablePerCallerAndContact) {
  const std::string a = ErasureIdFor("privacy-desk", "req-1", "c-0123456789abcdef", "ff");
  EXPECT_EQ(a, ErasureIdFor("privacy-desk", "req-1", "c-0123456789abcdef", "00"));
  EXPECT_EQ(a.size(), 35u);
  EXPECT_EQ(a.rfind("er-", 0), 0u);
  EXPECT_NE(a, ErasureIdFor("other-caller", "req-1", "c-0123456789abcdef", "ff"));
  EXPECT_NE(a, ErasureIdFor("privacy-desk", "req-2", "c-0123456789abcdef", "ff"));
  EXPECT_EQ(ErasureIdFor("privacy-desk", "", "c-0123456789abcdef", "abc"), "er-abc");
}

}  // namespace
}  // namespace leadflow::intake
