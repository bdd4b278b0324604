#include "nurture/domain/account_development.h"

#include <algorithm>

namespace leadflow::nurture {

namespace cv1 = leadflow::common::v1;
namespace nv1 = leadflow::nurture::v1;

bool DevelopsAccountFor(const leadflow::config::v1::Track& track, cv1::ReasonCode reason) {
  const auto& reasons = track.selector().rejection_reasons();
  return reason != cv1::REASON_UNSPECIFIED &&
         std::find(reasons.begin(), reasons.end(), reason) != reasons.end();
}

std::string AccountDevelopmentOwner(const leadflow::routing::v1::NurtureRequested& request,
                                    const leadflow::accounts::v1::AccountState* account) {
  if (account != nullptr && !account->owner_rep_id().empty()) return account->owner_rep_id();
  if (account != nullptr && !account->named_owner_rep_id().empty()) {
    return account->named_owner_rep_id();
  }
  const auto& lead = request.scored().lead();
  if (!lead.account_owner().empty()) return lead.account_owner();
  return request.decision().rep_id();
}

std::optional<nv1::AccountNotification> AccountDevelopmentNotice(
    const leadflow::config::v1::Track& track,
    const leadflow::routing::v1::NurtureRequested& request,
    const leadflow::accounts::v1::AccountState* account, const std::string& account_key,
    const std::string& enrolment_id, int64_t now_ms) {
  if (!DevelopsAccountFor(track, request.reason())) return std::nullopt;
  const auto& lead = request.scored().lead();
  nv1::AccountNotification n;
  n.set_kind(nv1::ACCOUNT_DEVELOPMENT);
  n.set_account_key(account_key);
  n.set_owner_rep_id(AccountDevelopmentOwner(request, account));
  n.set_contact_id(lead.contact().contact_id());
  n.set_track_id(track.track_id());
  n.set_rejection_reason(request.reason());
  n.set_lead_id(lead.meta().lead_id());
  n.set_enrolment_id(enrolment_id);
  n.set_rejected_by_rep_id(request.decision().rep_id());
  n.mutable_at()->set_seconds(now_ms / 1000);
  n.mutable_at()->set_nanos(static_cast<int32_t>(now_ms % 1000) * 1000000);
  return n;
}

}  // namespace leadflow::nurture
