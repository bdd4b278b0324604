#include "intake/domain/normalization.h"

#include "intake/domain/email.h"
#include "intake/domain/identity.h"
#include "intake/domain/phone.h"
#include "intake/domain/text.h"

namespace leadflow::intake {

using leadflow::intake::v1::LeadAccepted;
using leadflow::intake::v1::LeadSubmission;

namespace {

// The buyer class and decision role the form states, else the ones its job
// title suggests (docs/domain-rules.md §2: only a hint, flagged as inferred).
void SetBuyer(const LeadSubmission& sub, const IntakePolicy& policy,
              leadflow::common::v1::Contact* contact) {
  const auto inferred = policy.InferFromTitle(sub.job_title());
  if (sub.buyer_class() != leadflow::common::v1::BUYER_CLASS_UNSPECIFIED) {
    contact->set_buyer_class(sub.buyer_class());
  } else if (inferred && inferred->buyer_class != leadflow::common::v1::BUYER_CLASS_UNSPECIFIED) {
    contact->set_buyer_class(inferred->buyer_class);
    contact->set_buyer_class_inferred(true);
  }
  if (sub.decision_role() != leadflow::common::v1::DECISION_ROLE_UNSPECIFIED) {
    contact->set_decision_role(sub.decision_role());
  } else if (inferred &&
             inferred->decision_role != leadflow::common::v1::DECISION_ROLE_UNSPECIFIED) {
    contact->set_decision_role(inferred->decision_role);
    contact->set_decision_role_inferred(true);
  }
}

void SetFirmographics(const LeadSubmission& sub, leadflow::common::v1::Company* company) {
  company->set_name(std::string(TrimAscii(sub.company_name())));
  company->set_industry(AsciiLower(TrimAscii(sub.industry())));
  company->set_headcount(sub.headcount());
  company->set_annual_revenue_rub(sub.annual_revenue_rub());
  company->set_it_budget_rub(sub.it_budget_rub());
  company->set_region(std::string(TrimAscii(sub.region())));
  company->set_state_body(sub.state_body());
  company->set_digitalisation_budget_rub(sub.digitalisation_budget_rub());
  company->set_infrastructure_project(sub.infrastructure_project());
  company->set_ict_budget_rub(sub.ict_budget_rub());
  company->set_revenue_growth_pct(sub.revenue_growth_pct());
  company->set_has_revenue_growth(sub.has_revenue_growth());
}

}  // namespace

NormalizedLead NormalizeSubmission(const LeadSubmission& sub, const IntakePolicy& policy,
                                   const ContactIdKey& contact_ids) {
  NormalizedLead out;
  LeadAccepted& lead = out.lead;
  auto* contact = lead.mutable_contact();
  auto* company = lead.mutable_company();

  const std::string email = NormalizeEmail(sub.email());
  std::string phone;
  if (!TrimAscii(sub.phone()).empty()) phone = NormalizePhone(sub.phone()).value_or("");
  const std::string email_domain = EmailDomain(email);
  const std::string corporate_domain =
      email_domain.empty() || policy.IsFreeMail(email_domain) ? std::string() : email_domain;
  const std::string inn(TrimAscii(sub.inn()));

  out.contact_key = !email.empty() ? email : phone;
  contact->set_contact_id(contact_ids.ContactIdFor(out.contact_key));
  contact->set_email(email);
  contact->set_phone(phone);
  contact->set_full_name(std::string(TrimAscii(sub.full_name())));
  contact->set_job_title(std::string(TrimAscii(sub.job_title())));
  contact->set_time_zone(std::string(TrimAscii(sub.time_zone())));
  contact->set_consent(sub.consent());
  SetBuyer(sub, policy, contact);

  SetFirmographics(sub, company);
  company->set_domain(corporate_domain);
  company->set_inn(inn);

  // The account: its INN, else its corporate domain, else the contact itself.
  auto* meta = lead.mutable_meta();
  meta->set_account_key(!inn.empty()                ? inn
                        : !corporate_domain.empty() ? corporate_domain
                                                    : out.contact_key);
  meta->set_source_id(std::string(TrimAscii(sub.source_id())));
  meta->set_marketing_sourced(policy.IsMarketingSource(meta->source_id()));
  meta->set_campaign_id(policy.CampaignFor(sub.campaign_id()));

  lead.set_intent(std::string(TrimAscii(sub.intent())));
  lead.set_buyer_stage(policy.StageForIntent(sub.intent()));
  lead.set_expected_deal_rub(sub.expected_deal_rub());
  *lead.mutable_answers() = sub.answers();
  lead.set_sales_channel(AsciiLower(TrimAscii(sub.channel())) == "partner"
                             ? leadflow::common::v1::PARTNER
                             : leadflow::common::v1::DIRECT);
  return out;
}

void ApplyRelationship(const std::optional<leadflow::accounts::v1::AccountState>& account,
                       LeadAccepted* lead) {
  if (account && account->relationship() == leadflow::common::v1::CUSTOMER) {
    lead->mutable_meta()->set_relationship(leadflow::common::v1::CUSTOMER);
    lead->set_account_owner(account->owner_rep_id());
    lead->set_owner_team(account->owner_team());
    return;
  }
  lead->mutable_meta()->set_relationship(leadflow::common::v1::PROSPECT);
  lead->clear_owner_team();
  if (account && account->named_account() && !account->named_owner_rep_id().empty()) {
    lead->set_account_owner(account->named_owner_rep_id());
  } else {
    lead->clear_account_owner();
  }
}

}  // namespace leadflow::intake
