#include "nurture/domain/single_contact.h"

#include <google/protobuf/util/time_util.h>

namespace leadflow::nurture {

bool IsSingleContactCustomer(const leadflow::intake::v1::LeadAccepted& lead) {
  const auto& coverage = lead.company().coverage();
  return lead.meta().relationship() == leadflow::common::v1::CUSTOMER && coverage.known() &&
         coverage.known_contacts() == 1;
}

std::string SingleContactAccount(const leadflow::intake::v1::LeadAccepted& lead,
                                 const std::string& fallback) {
  const std::string& key = lead.company().coverage().account_key();
  return key.empty() ? fallback : key;
}

leadflow::nurture::v1::AccountNotification SingleContactNotice(
    const leadflow::intake::v1::LeadAccepted& lead, const std::string& account_key,
    int64_t now_ms) {
  leadflow::nurture::v1::AccountNotification n;
  n.set_kind(leadflow::nurture::v1::SINGLE_CONTACT);
  n.set_account_key(account_key);
  n.set_owner_rep_id(lead.account_owner());
  n.set_contact_id(lead.contact().contact_id());
  n.set_lead_id(lead.meta().lead_id());
  *n.mutable_coverage() = lead.company().coverage();
  *n.mutable_at() = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(now_ms);
  return n;
}

}  // namespace leadflow::nurture
