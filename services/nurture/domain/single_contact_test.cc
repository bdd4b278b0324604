#include "nurture/domain/single_contact.h"

#include <gtest/gtest.h>

namespace leadflow::nurture {
namespace {

namespace cv1 = leadflow::common::v1;

leadflow::intake::v1::LeadAccepted CustomerLead(int contacts) {
  leadflow::intake::v1::LeadAccepted lead;
  lead.mutable_meta()->set_lead_id("L-1");
  lead.mutable_meta()->set_account_key("example.ru");
  lead.mutable_meta()->set_relationship(cv1::CUSTOMER);
  lead.mutable_contact()->set_contact_id("c-0123456789abcdef");
  lead.mutable_contact()->set_email("ivan@example.ru");
  lead.set_account_owner("rep-ivanova");
  auto* c = lead.mutable_company()->mutable_coverage();
  c->set_known(true);
  c->set_account_key("7707083893");
  c->set_known_contacts(contacts);
  c->add_engaged_classes(cv1::TECHNICAL);
  return lead;
}

TEST(SingleContact, ACustomerAccountKnownAsOneContactIsFlagged) {
  EXPECT_TRUE(IsSingleContactCustomer(CustomerLead(1)));
  EXPECT_FALSE(IsSingleContactCustomer(CustomerLead(2)));
  EXPECT_FALSE(IsSingleContactCustomer(CustomerLead(0)));
}

TEST(SingleContact, NeverAProspectNorAnUnknownCoverage) {
  auto prospect = CustomerLead(1);
  prospect.mutable_meta()->set_relationship(cv1::PROSPECT);
  EXPECT_FALSE(IsSingleContactCustomer(prospect));
  auto unknown = CustomerLead(1);
  unknown.mutable_company()->mutable_coverage()->set_known(false);
  EXPECT_FALSE(IsSingleContactCustomer(unknown));
  auto unset = CustomerLead(1);
  unset.mutable_company()->clear_coverage();
  EXPECT_FALSE(IsSingleContactCustomer(unset)) << "a lead from before coverage existed";
}

TEST(SingleContact, TheNoticeNamesIdsAndTheCoverageNoPerson) {
  const auto lead = CustomerLead(1);
  EXPECT_EQ(SingleContactAccount(lead, "example.ru"), "7707083893");
  auto no_key = lead;
  no_key.mutable_company()->mutable_coverage()->clear_account_key();
  EXPECT_EQ(SingleContactAccount(no_key, "example.ru"), "example.ru");
  const auto n = SingleContactNotice(lead, "7707083893", 1'795'000'000'000);
  EXPECT_EQ(n.kind(), leadflow::nurture::v1::SINGLE_CONTACT);
  EXPECT_EQ(n.account_key(), "7707083893");
  EXPECT_EQ(n.owner_rep_id(), "rep-ivanova");
  EXPECT_EQ(n.contact_id(), "c-0123456789abcdef");
  EXPECT_EQ(n.lead_id(), "L-1");
  EXPECT_EQ(n.coverage().known_contacts(), 1);
  EXPECT_EQ(n.at().seconds(), 1'795'000'000);
  EXPECT_EQ(n.SerializeAsString().find("ivan@example.ru"), std::string::npos);
}

}  // namespace
}  // namespace leadflow::nurture
