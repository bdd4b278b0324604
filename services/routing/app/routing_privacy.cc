#include "routing/app/routing_privacy.h"

#include <google/protobuf/util/time_util.h>

#include <set>

#include "common/kafka/topics.h"
#include "common/privacy/erasure.h"
#include "common/redis/reply.h"
#include "common/util/deterministic_bytes.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "leadflow/scoring/v1/scoring.pb.h"
#include "routing/app/decision_record.h"
#include "common/redis/embedded_script.h"
#include "routing/app/routing_keys.h"
#include "routing/domain/consent.h"
#include "routing_privacy_scrub.lua.h"

namespace leadflow::routing {
namespace {

using google::protobuf::util::TimeUtil;
using privacy::GateVerdict;

constexpr std::chrono::seconds kPrivacyStateTtl = std::chrono::hours(24 * 548);
constexpr int kScrubAttempts = 5;

}  // namespace

RoutingPrivacy::RoutingPrivacy(redis::Client& redis, const Clock& clock)
    : redis_(redis),
      clock_(clock),
      state_(redis,
             privacy::KeyScheme{ContactLeadsKey, ContactWithdrawnKey, /*one_slot=*/true},
             kPrivacyStateTtl),
      erasure_handler_(privacy::ErasureHandler(*this)) {}

std::vector<GateVerdict> RoutingPrivacy::SeeScored(
    const std::vector<kafka::ConsumedMessage>& batch) {
  std::vector<GateVerdict> verdicts(batch.size());
  std::vector<leadflow::scoring::v1::LeadScored> scored;
  std::vector<privacy::ContactStateStore::Lead> leads;
  std::vector<size_t> where;
  for (size_t i = 0; i < batch.size(); ++i) {
    leadflow::scoring::v1::LeadScored s;
    if (!s.ParseFromString(batch[i].payload)) continue;  // the engine dead-letters it
    const auto& lead = s.lead();
    if (lead.contact().contact_id().empty() || lead.meta().lead_id().empty()) continue;
    leads.push_back({lead.contact().contact_id(), lead.meta().lead_id(),
                     TimeUtil::TimestampToMilliseconds(lead.meta().first_submitted_at())});
    scored.push_back(std::move(s));
    where.push_back(i);
  }
  auto seen = state_.SeeLeads(leads);
  for (size_t j = 0; j < seen.size(); ++j) {
    if (!seen[j].ok()) {
      verdicts[where[j]] = GateVerdict::Done(seen[j].status());
    } else if (DisqualifyForWithdrawnConsent(*seen[j], &scored[j])) {
      verdicts[where[j]] = GateVerdict::Replace(SerializeDeterministic(scored[j]));
    }
  }
  return verdicts;
}

kafka::BatchHandler RoutingPrivacy::GateScored(kafka::BatchHandler inner) {
  return privacy::GatedBatchHandler(
      [this](const std::vector<kafka::ConsumedMessage>& b) { return SeeScored(b); },
      std::move(inner));
}

kafka::MessageHandler RoutingPrivacy::Handler() {
  return [this](const kafka::ConsumedMessage& m, std::vector<kafka::OutgoingMessage>& out) {
    if (m.topic != topics::kEngagementEvents) return erasure_handler_(m, out);
    leadflow::engagement::v1::EngagementEvent event;
    if (!event.ParseFromString(m.payload)) return Status::Ok();  // scoring/nurture dead-letter it
    auto w = privacy::WithdrawalOf(event, m.key, m.timestamp_ms);
    if (!w || !privacy::IsContactId(w->contact_id)) return Status::Ok();
    auto r = state_.Withdraw({{w->contact_id, w->at_ms}});
    return r.front().ok() ? Status::Ok() : r.front().status();
  };
}

Status RoutingPrivacy::ScrubDecision(const std::string& lead_id) {
  const std::string key = DecisionKey(lead_id);
  for (int attempt = 0; attempt < kScrubAttempts; ++attempt) {
    auto got = redis_.Run({"GET", key});
    if (!got.ok()) return Status::Unavailable("routing erasure: " + got.status().message());
    auto raw = redis::ExpectStringOrNil(*got, "routing erasure GET decision");
    if (!raw.ok()) return raw.status();
    if (!raw->has_value()) return Status::Ok();
    const std::string& stored = **raw;
    leadflow::routing::v1::LeadAssigned record;
    if (!record.ParseFromString(stored)) {
      // Unreadable: it cannot be scrubbed field by field, so it goes entirely.
      auto del = redis_.Run({"DEL", key});
      return del.ok() ? Status::Ok() : Status::Unavailable("routing erasure: DEL");
    }
    privacy::ScrubLead(record.mutable_scored()->mutable_lead());
    // A slim record holds no personal data; the mark makes a re-emission of
    // its decision scrub the lead it takes from the message (decision_record.h).
    if (IsSlim(record)) MarkErased(&record);
    const std::string scrubbed = SerializeDeterministic(record);
    if (scrubbed == stored) return Status::Ok();
    auto r = redis_.Eval(redis::EmbeddedScript<leadflow::lua::kRoutingPrivacyScrub>(), {key},
                         {stored, scrubbed});
    if (!r.ok()) return Status::Unavailable("routing erasure: " + r.status().message());
    auto replaced = redis::ExpectInteger(*r, "routing erasure scrub script");
    if (!replaced.ok()) return replaced.status();
    if (*replaced == 1) return Status::Ok();
  }
  return Status::Unavailable("routing erasure: decision kept changing, retrying");
}

Status RoutingPrivacy::Erase(const leadflow::privacy::v1::ContactErasure& erasure) {
  auto indexed = state_.LeadsOf(erasure.contact_id());
  if (!indexed.ok()) return indexed.status();
  std::set<std::string> leads(indexed->begin(), indexed->end());
  leads.insert(erasure.lead_ids().begin(), erasure.lead_ids().end());
  for (const auto& lead : leads) {
    if (Status s = ScrubDecision(lead); !s.ok()) return s;
  }
  const int64_t at = erasure.has_requested_at()
                         ? TimeUtil::TimestampToMilliseconds(erasure.requested_at())
                         : clock_.NowMillis();
  return state_.Tombstone(erasure.contact_id(), at > 0 ? at : clock_.NowMillis());
}

}  // namespace leadflow::routing
