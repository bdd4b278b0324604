#include "routing/app/decision_record.h"

#include "common/privacy/erasure.h"

namespace leadflow::routing {

namespace rv1 = leadflow::routing::v1;

bool IsSlim(const rv1::LeadAssigned& record) {
  const auto& scored = record.scored();
  return !scored.lead().has_contact() && !scored.lead().has_company() && !scored.has_scored_at();
}

rv1::LeadAssigned Slim(const rv1::LeadAssigned& record) {
  rv1::LeadAssigned slim = record;
  const auto& meta = record.scored().lead().meta();
  slim.clear_scored();
  slim.mutable_scored()->set_revision(record.scored().revision());
  slim.mutable_scored()->mutable_lead()->mutable_meta()->set_lead_id(meta.lead_id());
  if (IsErased(record)) MarkErased(&slim);
  return slim;
}

std::string SlimRecordBytes(const std::string& lead_id, int32_t revision,
                            const rv1::LeadAssigned& rest) {
  rv1::LeadAssigned slim = rest;
  slim.mutable_scored()->set_revision(revision);
  slim.mutable_scored()->mutable_lead()->mutable_meta()->set_lead_id(lead_id);
  return slim.SerializeAsString();
}

bool KeepsLead(rv1::RoutingOutcome outcome) {
  return outcome == rv1::ASSIGNED || outcome == rv1::NAMED_OWNER || outcome == rv1::QUEUED ||
         outcome == rv1::REASSIGNED;
}

bool IsErased(const rv1::LeadAssigned& record) {
  return IsSlim(record) &&
         record.scored().lead().meta().account_key() == privacy::kErasedAccountKey;
}

void MarkErased(rv1::LeadAssigned* record) {
  record->mutable_scored()->mutable_lead()->mutable_meta()->set_account_key(
      privacy::kErasedAccountKey);
}

}  // namespace leadflow::routing
