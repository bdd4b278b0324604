#include "common/privacy/erasure.h"

#include <google/protobuf/util/time_util.h>

#include "common/kafka/topics.h"
#include "common/util/deterministic_bytes.h"
#include "leadflow/common/v1/domain.pb.h"

namespace leadflow::privacy {
namespace {

namespace cv1 = leadflow::common::v1;
namespace pv1 = leadflow::privacy::v1;

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

bool IsContactId(std::string_view s) {
  if (s.size() != 18 || s.substr(0, 2) != "c-") return false;
  for (char c : s.substr(2)) {
    if (!IsLowerHex(c)) return false;
  }
  return true;
}

bool IsLeadIdShaped(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

StatusOr<pv1::ContactErasure> ParseErasure(const kafka::ConsumedMessage& message) {
  if (message.topic != topics::kPrivacyErasure) {
    return Status::InvalidArgument("not a privacy.erasure record (topic " + message.topic + ")",
                                   cv1::UNKNOWN_SCHEMA);
  }
  pv1::ContactErasure e;
  if (!e.ParseFromString(message.payload)) {
    return Status::InvalidArgument("privacy.erasure payload is not a ContactErasure",
                                   cv1::MALFORMED_PAYLOAD);
  }
  if (e.erasure_id().empty()) {
    return Status::InvalidArgument("privacy.erasure: erasure_id required", cv1::MISSING_FIELD);
  }
  if (!IsLeadIdShaped(e.erasure_id())) {
    return Status::InvalidArgument("privacy.erasure: erasure_id malformed", cv1::INVALID_FIELD);
  }
  if (e.contact_id().empty()) {
    return Status::InvalidArgument("privacy.erasure: contact_id required", cv1::MISSING_FIELD);
  }
  if (!IsContactId(e.contact_id())) {
    return Status::InvalidArgument("privacy.erasure: contact_id is not c-<16 hex digits>",
                                   cv1::INVALID_FIELD);
  }
  if (!message.key.empty() && message.key != e.contact_id()) {
    return Status::InvalidArgument("privacy.erasure: record key differs from contact_id",
                                   cv1::INVALID_FIELD);
  }
  if (e.lead_ids_size() > kMaxErasureLeadIds) {
    return Status::InvalidArgument("privacy.erasure: more than 1000 lead_ids", cv1::INVALID_FIELD);
  }
  for (const auto& id : e.lead_ids()) {
    if (!IsLeadIdShaped(id)) {
      return Status::InvalidArgument("privacy.erasure: lead_ids has a malformed id",
                                     cv1::INVALID_FIELD);
    }
  }
  return e;
}

kafka::OutgoingMessage ErasureMessage(const pv1::ContactErasure& erasure) {
  kafka::OutgoingMessage m;
  m.topic = topics::kPrivacyErasure;
  m.key = erasure.contact_id();
  m.payload = SerializeDeterministic(erasure);
  m.headers.push_back({topics::kTraceHeader, erasure.erasure_id()});
  return m;
}

void ScrubLead(leadflow::intake::v1::LeadAccepted* lead) {
  const std::string email = lead->contact().email();
  lead->clear_contact();
  lead->clear_answers();
  auto* meta = lead->mutable_meta();
  if ((!email.empty() && meta->account_key() == email) ||
      meta->account_key().find('@') != std::string::npos ||
      (!meta->account_key().empty() && meta->account_key()[0] == '+')) {
    meta->set_account_key(kErasedAccountKey);
  }
}

bool WithdrawalCovers(int64_t withdrawn_at_ms, int64_t first_submitted_ms) {
  return withdrawn_at_ms > 0 && first_submitted_ms <= withdrawn_at_ms;
}

std::optional<ConsentWithdrawal> WithdrawalOf(const leadflow::engagement::v1::EngagementEvent& event,
                                              const std::string& record_key, int64_t record_ms) {
  if (event.type() != leadflow::engagement::v1::CONSENT_WITHDRAWN) return std::nullopt;
  ConsentWithdrawal w;
  w.contact_id = event.contact_id().empty() ? record_key : event.contact_id();
  if (w.contact_id.empty()) return std::nullopt;
  w.at_ms = event.has_occurred_at()
                ? google::protobuf::util::TimeUtil::TimestampToMilliseconds(event.occurred_at())
                : record_ms;
  if (w.at_ms <= 0) w.at_ms = record_ms;
  return w;
}

}  // namespace leadflow::privacy
