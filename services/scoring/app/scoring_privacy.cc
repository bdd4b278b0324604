#include "scoring/app/scoring_privacy.h"

#include <google/protobuf/util/time_util.h>

#include <set>

#include "common/privacy/erasure.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "leadflow/intake/v1/intake.pb.h"
#include "scoring/app/engagement_store.h"
#include "scoring/app/redis_engagement_store.h"
#include "scoring/app/redis_score_store.h"
#include "scoring/app/score_store.h"

namespace leadflow::scoring {
namespace {

using google::protobuf::util::TimeUtil;
using privacy::GateVerdict;

Status Check(const StatusOr<redis::Reply>& r, const std::string& what) {
  if (!r.ok()) return Status::Unavailable("scoring erasure " + what + ": " + r.status().message());
  if (r->is_error()) return Status::Unavailable("scoring erasure " + what + ": " + r->str);
  return Status::Ok();
}

}  // namespace

privacy::KeyScheme ScoringPrivacyKeys() {
  return {[](const std::string& c) { return "lf:scoring:{c:" + c + "}:leads"; },
          [](const std::string& c) { return "lf:scoring:{c:" + c + "}:withdrawn"; }};
}

ScoringPrivacy::ScoringPrivacy(redis::Client& redis, const Clock& clock)
    : redis_(redis), clock_(clock), state_(redis, ScoringPrivacyKeys(), kScoringStateTtl) {}

std::vector<GateVerdict> ScoringPrivacy::SeeAccepted(
    const std::vector<kafka::ConsumedMessage>& batch) {
  std::vector<GateVerdict> verdicts(batch.size());
  std::vector<privacy::ContactStateStore::Lead> leads;
  std::vector<size_t> where;
  leadflow::intake::v1::LeadAccepted lead;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!lead.ParseFromString(batch[i].payload)) continue;  // the handler dead-letters it
    if (lead.contact().contact_id().empty() || lead.meta().lead_id().empty()) continue;
    leads.push_back({lead.contact().contact_id(), lead.meta().lead_id(),
                     TimeUtil::TimestampToMilliseconds(lead.meta().first_submitted_at())});
    where.push_back(i);
  }
  auto seen = state_.SeeLeads(leads);
  for (size_t j = 0; j < seen.size(); ++j) {
    if (!seen[j].ok()) verdicts[where[j]] = GateVerdict::Done(seen[j].status());
  }
  return verdicts;
}

std::vector<GateVerdict> ScoringPrivacy::CheckEngagement(
    const std::vector<kafka::ConsumedMessage>& batch) {
  std::vector<GateVerdict> verdicts(batch.size());
  std::vector<privacy::ContactStateStore::Withdrawal> withdrawals;
  std::vector<size_t> withdrawal_at;
  std::vector<std::string> contacts;
  std::vector<size_t> contact_at;
  leadflow::engagement::v1::EngagementEvent event;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!event.ParseFromString(batch[i].payload)) continue;  // the handler dead-letters it
    if (auto w = privacy::WithdrawalOf(event, batch[i].key, batch[i].timestamp_ms)) {
      withdrawals.push_back({w->contact_id, w->at_ms});
      withdrawal_at.push_back(i);
    } else if (!event.contact_id().empty() &&
               event.type() != leadflow::engagement::v1::ENGAGEMENT_TYPE_UNSPECIFIED) {
      contacts.push_back(event.contact_id());
      contact_at.push_back(i);
    }
  }
  auto recorded = state_.Withdraw(withdrawals);
  for (size_t j = 0; j < recorded.size(); ++j) {
    verdicts[withdrawal_at[j]] = GateVerdict::Done(recorded[j].ok() ? Status::Ok()
                                                                    : recorded[j].status());
  }
  auto withdrawn = state_.WithdrawnAt(contacts);
  for (size_t j = 0; j < withdrawn.size(); ++j) {
    if (!withdrawn[j].ok()) {
      verdicts[contact_at[j]] = GateVerdict::Done(withdrawn[j].status());
    } else if (*withdrawn[j] > 0) {
      verdicts[contact_at[j]] = GateVerdict::Done(Status::Ok());  // no profiling, no rescore
    }
  }
  return verdicts;
}

kafka::BatchHandler ScoringPrivacy::GateAccepted(kafka::BatchHandler inner) {
  return privacy::GatedBatchHandler(
      [this](const std::vector<kafka::ConsumedMessage>& b) { return SeeAccepted(b); },
      std::move(inner));
}

kafka::BatchHandler ScoringPrivacy::GateEngagement(kafka::BatchHandler inner) {
  return privacy::GatedBatchHandler(
      [this](const std::vector<kafka::ConsumedMessage>& b) { return CheckEngagement(b); },
      std::move(inner));
}

Status ScoringPrivacy::Erase(const leadflow::privacy::v1::ContactErasure& erasure) {
  const std::string& contact = erasure.contact_id();
  auto indexed = state_.LeadsOf(contact);
  if (!indexed.ok()) return indexed.status();
  std::set<std::string> leads(indexed->begin(), indexed->end());
  leads.insert(erasure.lead_ids().begin(), erasure.lead_ids().end());
  auto link = redis_.Run({"GET", RedisEngagementStore::LeadKey(contact)});
  if (Status s = Check(link, "GET link"); !s.ok()) return s;
  if (!link->is_nil() && !link->str.empty()) leads.insert(link->str.substr(0, link->str.rfind('|')));
  std::vector<redis::Command> dels;
  for (const auto& lead : leads) dels.push_back({"DEL", RedisScoreStore::Key(lead)});
  dels.push_back(
      {"DEL", RedisEngagementStore::EventsKey(contact), RedisEngagementStore::LeadKey(contact)});
  auto r = redis_.Pipeline(dels);
  if (!r.ok()) return Status::Unavailable("scoring erasure: " + r.status().message());
  for (const auto& reply : *r) {
    if (reply.is_error()) return Status::Unavailable("scoring erasure: " + reply.str);
  }
  const int64_t at = erasure.has_requested_at()
                         ? TimeUtil::TimestampToMilliseconds(erasure.requested_at())
                         : clock_.NowMillis();
  return state_.Tombstone(contact, at > 0 ? at : clock_.NowMillis());
}

}  // namespace leadflow::scoring
