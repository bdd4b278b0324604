#include "intake/domain/account_coverage.h"

#include <gtest/gtest.h>

namespace leadflow::intake {
namespace {

using leadflow::common::v1::DECISION_MAKER;
using leadflow::common::v1::ECONOMIC;
using leadflow::common::v1::END_USER;
using leadflow::common::v1::INFLUENCER;
using leadflow::common::v1::TECHNICAL;

std::vector<int> Classes(const google::protobuf::RepeatedField<int>& classes) {
  return {classes.begin(), classes.end()};
}

TEST(AccountCoverage, NoContactsIsKnownButEmpty) {
  auto c = CoverageOf({}, {});
  EXPECT_TRUE(c.known());
  EXPECT_EQ(c.known_contacts(), 0);
  EXPECT_TRUE(c.engaged_classes().empty());
  EXPECT_EQ(Classes(c.missing_classes()), (std::vector<int>{ECONOMIC, TECHNICAL, END_USER}));
  EXPECT_FALSE(c.decision_maker_known());
  EXPECT_FALSE(c.complete());
}

TEST(AccountCoverage, EngineerThenCfoEngagesTwoClassesAndADecisionMaker) {
  std::vector<KnownContact> leads = {{"c-eng", TECHNICAL, INFLUENCER}};
  auto first = CoverageOf(leads, {});
  EXPECT_EQ(Classes(first.engaged_classes()), (std::vector<int>{TECHNICAL}));
  EXPECT_FALSE(first.decision_maker_known());
  EXPECT_EQ(first.known_contacts(), 1);

  leads.push_back({"c-cfo", ECONOMIC, DECISION_MAKER});
  auto second = CoverageOf(leads, {});
  EXPECT_EQ(Classes(second.engaged_classes()), (std::vector<int>{ECONOMIC, TECHNICAL}));
  EXPECT_EQ(Classes(second.missing_classes()), (std::vector<int>{END_USER}));
  EXPECT_TRUE(second.decision_maker_known());
  EXPECT_EQ(second.known_contacts(), 2);
  EXPECT_FALSE(second.complete());
}

TEST(AccountCoverage, CompleteNeedsAllThreeClassesAndADecisionMaker) {
  std::vector<KnownContact> three = {
      {"c-1", ECONOMIC, INFLUENCER}, {"c-2", TECHNICAL, INFLUENCER}, {"c-3", END_USER, INFLUENCER}};
  auto without_dm = CoverageOf(three, {});
  EXPECT_TRUE(without_dm.missing_classes().empty());
  EXPECT_FALSE(without_dm.complete()) << "three classes but no decision maker";
  three[0].decision_role = DECISION_MAKER;
  EXPECT_TRUE(CoverageOf(three, {}).complete());
}

TEST(AccountCoverage, TheCrmOverridesALeadsInferredClassForTheSameContact) {
  // The title said engineer (TECHNICAL); the CRM knows the person as the CFO.
  auto c = CoverageOf({{"c-1", TECHNICAL, INFLUENCER}}, {{"c-1", ECONOMIC, DECISION_MAKER}});
  EXPECT_EQ(c.known_contacts(), 1) << "one person, counted once";
  EXPECT_EQ(Classes(c.engaged_classes()), (std::vector<int>{ECONOMIC}));
  EXPECT_TRUE(c.decision_maker_known());
}

TEST(AccountCoverage, AnUnstatedClassOrRoleDoesNotEraseAKnownOne) {
  std::vector<KnownContact> contacts = {{"c-1", TECHNICAL, DECISION_MAKER}};
  MergeContact({"c-1", leadflow::common::v1::BUYER_CLASS_UNSPECIFIED,
                leadflow::common::v1::DECISION_ROLE_UNSPECIFIED},
               &contacts);
  ASSERT_EQ(contacts.size(), 1u);
  EXPECT_EQ(contacts[0].buyer_class, TECHNICAL);
  EXPECT_EQ(contacts[0].decision_role, DECISION_MAKER);
  MergeContact({"", ECONOMIC, DECISION_MAKER}, &contacts);
  EXPECT_EQ(contacts.size(), 1u) << "a contact without an id is not counted";
}

TEST(AccountCoverage, ContactsWithoutAClassCountButEngageNothing) {
  auto c = CoverageOf({{"c-1", leadflow::common::v1::BUYER_CLASS_UNSPECIFIED,
                        leadflow::common::v1::DECISION_ROLE_UNSPECIFIED}},
                      {});
  EXPECT_EQ(c.known_contacts(), 1);
  EXPECT_TRUE(c.engaged_classes().empty());
}

// The coverage of the contacts merged one by one with MergeContact (the
// linear merge CoverageOf used before its index).
leadflow::common::v1::AccountCoverage LinearCoverageOf(const std::vector<KnownContact>& leads,
                                                       const std::vector<KnownContact>& crm) {
  std::vector<KnownContact> merged;
  for (const KnownContact& c : leads) MergeContact(c, &merged);
  for (const KnownContact& c : crm) MergeContact(c, &merged);
  // Each contact on its own, so CoverageOf has nothing left to merge.
  return CoverageOf(merged, {});
}

TEST(AccountCoverage, ALargeAccountWithOverlappingCrmIdsMatchesTheLinearMerge) {
  // 600 lead-seen contacts, repeats included, with every class and role
  // (unstated ones too); a CRM list that overrides some of them (also with
  // unstated values) and adds others.
  std::vector<KnownContact> leads;
  for (int i = 0; i < 900; ++i) {
    const int id = (i * 7) % 600;
    leads.push_back({"c-" + std::to_string(id),
                     static_cast<leadflow::common::v1::BuyerClass>((i / 3) % 4),
                     static_cast<leadflow::common::v1::DecisionRole>((i / 5) % 3)});
  }
  leads.push_back({"", ECONOMIC, DECISION_MAKER});
  std::vector<KnownContact> crm;
  for (int i = 0; i < 120; ++i) {
    crm.push_back({"c-" + std::to_string(i * 6),
                   static_cast<leadflow::common::v1::BuyerClass>(i % 4),
                   static_cast<leadflow::common::v1::DecisionRole>(i % 3)});
  }
  for (int i = 0; i < 30; ++i) {  // the same CRM contact twice: merged too
    crm.push_back({"c-" + std::to_string(i * 12),
                   static_cast<leadflow::common::v1::BuyerClass>((i + 1) % 4),
                   static_cast<leadflow::common::v1::DecisionRole>((i + 2) % 3)});
  }
  crm.push_back({"", END_USER, DECISION_MAKER});
  // Variants: no decision maker anywhere but in the CRM; a class engaged only
  // through a CRM override.
  std::vector<std::vector<KnownContact>> lead_sets = {leads, {}, leads};
  for (KnownContact& c : lead_sets[2]) {
    c.decision_role = INFLUENCER;
    if (c.buyer_class == END_USER) c.buyer_class = TECHNICAL;
  }
  for (const auto& set : lead_sets) {
    for (const auto& crm_set : {crm, std::vector<KnownContact>{}}) {
      const auto fast = CoverageOf(set, crm_set);
      const auto linear = LinearCoverageOf(set, crm_set);
      EXPECT_EQ(fast.SerializeAsString(), linear.SerializeAsString())
          << fast.DebugString() << " vs " << linear.DebugString();
    }
  }
  const auto all = CoverageOf(leads, crm);
  EXPECT_EQ(all.known_contacts(), 620) << "600 seen on leads, 20 more from the CRM";
}

TEST(AccountCoverage, TheSummaryOfTheSeenContactsGivesTheSameCoverage) {
  // What the Redis store returns (counts, and the CRM ids' values seen on
  // leads) against the contacts themselves, for accounts of 0 to 80 contacts.
  for (int size = 0; size <= 80; size += 8) {
    std::vector<KnownContact> leads;
    for (int i = 0; i < size; ++i) {
      leads.push_back({"c-" + std::to_string(i),
                       static_cast<leadflow::common::v1::BuyerClass>((i * 5 + size) % 4),
                       static_cast<leadflow::common::v1::DecisionRole>(
                           (i + size / 8) % 3 == 1 ? 2 : (i * 3) % 3)});
    }
    for (int crm_size : {0, 1, 5, 12}) {
      std::vector<KnownContact> crm;
      for (int j = 0; j < crm_size; ++j) {
        crm.push_back({"c-" + std::to_string(j * 7),
                       static_cast<leadflow::common::v1::BuyerClass>((j + size) % 4),
                       static_cast<leadflow::common::v1::DecisionRole>(j % 3)});
      }
      const SeenContactsSummary seen = SummariseSeen(leads, crm);
      EXPECT_EQ(seen.contacts, size);
      EXPECT_EQ(CoverageOfSummary(seen, crm).SerializeAsString(),
                LinearCoverageOf(leads, crm).SerializeAsString())
          << size << " contacts, " << crm_size << " in the CRM";
    }
  }
  // A CRM decision maker seen on a lead as an influencer: the summary's
  // decision maker count is the lead's, the coverage the CRM's.
  const std::vector<KnownContact> crm = {{"c-1", ECONOMIC, DECISION_MAKER}};
  const auto seen = SummariseSeen({{"c-1", TECHNICAL, INFLUENCER}}, crm);
  EXPECT_EQ(seen.decision_makers, 0);
  ASSERT_EQ(seen.crm_seen.size(), 1u);
  const auto c = CoverageOfSummary(seen, crm);
  EXPECT_EQ(c.known_contacts(), 1);
  EXPECT_TRUE(c.decision_maker_known());
  EXPECT_EQ(Classes(c.engaged_classes()), (std::vector<int>{ECONOMIC}));
}

TEST(AccountCoverage, StoredValueRoundTripsAndRefusesGarbage) {
  KnownContact in{"c-1", TECHNICAL, DECISION_MAKER};
  EXPECT_EQ(EncodeContactValue(in), "21");
  KnownContact out;
  ASSERT_TRUE(DecodeContactValue("21", &out));
  EXPECT_EQ(out.buyer_class, TECHNICAL);
  EXPECT_EQ(out.decision_role, DECISION_MAKER);
  for (const char* bad : {"", "2", "211", "x1", "91", "29"}) {
    KnownContact untouched{"c-1", END_USER, INFLUENCER};
    EXPECT_FALSE(DecodeContactValue(bad, &untouched)) << bad;
    EXPECT_EQ(untouched.buyer_class, END_USER) << bad;
  }
}

TEST(AccountCoverage, KeptUnderTheRegistryAccountElseTheLeadsCompany) {
  leadflow::intake::v1::LeadAccepted lead;
  lead.mutable_meta()->set_account_key("example.ru");
  lead.mutable_company()->set_domain("example.ru");
  EXPECT_EQ(CoverageAccountKey(lead, std::nullopt), "example.ru");
  leadflow::accounts::v1::AccountState account;
  account.set_account_key("7707083893");
  EXPECT_EQ(CoverageAccountKey(lead, account), "7707083893");

  leadflow::intake::v1::LeadAccepted free_mail;
  free_mail.mutable_meta()->set_account_key("ivan@gmail.com");
  EXPECT_EQ(CoverageAccountKey(free_mail, std::nullopt), std::nullopt)
      << "no company: nothing kept under an email";
  EXPECT_EQ(CoverageAccountKey(free_mail, account), "7707083893")
      << "a free-mail contact the CRM lists belongs to its account";
}

TEST(AccountCoverage, CrmContactsOfTheRegistryAccount) {
  EXPECT_TRUE(CrmContacts(std::nullopt).empty());
  leadflow::accounts::v1::AccountState account;
  auto* c = account.add_contacts();
  c->set_contact_id("c-9");
  c->set_buyer_class(END_USER);
  c->set_decision_role(INFLUENCER);
  auto crm = CrmContacts(account);
  ASSERT_EQ(crm.size(), 1u);
  EXPECT_EQ(crm[0].contact_id, "c-9");
  EXPECT_EQ(crm[0].buyer_class, END_USER);
}

TEST(AccountCoverage, ContactSeenRecordOfALeadWithAKeptCoverage) {
  leadflow::intake::v1::LeadAccepted lead;
  lead.mutable_contact()->set_contact_id("c-0123456789abcdef");
  lead.mutable_contact()->set_email("anna@example.ru");
  lead.mutable_contact()->set_buyer_class(TECHNICAL);
  lead.mutable_contact()->set_decision_role(DECISION_MAKER);
  lead.mutable_meta()->set_relationship(leadflow::common::v1::CUSTOMER);
  auto* coverage = lead.mutable_company()->mutable_coverage();
  coverage->set_known(true);
  coverage->set_account_key("7707083893");
  coverage->set_complete(true);
  auto seen = ContactSeenOf(lead, 1'795'000'000'123);
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->account_key(), "7707083893");
  EXPECT_EQ(seen->contact_id(), "c-0123456789abcdef");
  EXPECT_EQ(seen->buyer_class(), TECHNICAL);
  EXPECT_EQ(seen->decision_role(), DECISION_MAKER);
  EXPECT_EQ(seen->relationship(), leadflow::common::v1::CUSTOMER);
  EXPECT_TRUE(seen->coverage_complete());
  EXPECT_EQ(seen->seen_at().seconds(), 1'795'000'000);
  EXPECT_EQ(seen->SerializeAsString().find("anna"), std::string::npos) << "no personal data";
  // Not kept (no account key), or no contact id: no record.
  coverage->clear_account_key();
  EXPECT_FALSE(ContactSeenOf(lead, 1).has_value());
  coverage->set_account_key("7707083893");
  lead.mutable_contact()->clear_contact_id();
  EXPECT_FALSE(ContactSeenOf(lead, 1).has_value());
}

TEST(AccountCoverage, ContactSeenKeySplitsAtItsLastBar) {
  EXPECT_EQ(ContactSeenKey("acme.ru", "c-1"), "acme.ru|c-1");
  std::string account, contact;
  ASSERT_TRUE(SplitContactSeenKey("a|b.ru|c-1", &account, &contact));
  EXPECT_EQ(account, "a|b.ru");
  EXPECT_EQ(contact, "c-1");
  EXPECT_FALSE(SplitContactSeenKey("acme.ru", &account, &contact));
  EXPECT_FALSE(SplitContactSeenKey("|c-1", &account, &contact));
  EXPECT_FALSE(SplitContactSeenKey("acme.ru|", &account, &contact));
}

}  // namespace
}  // namespace leadflow::intake
