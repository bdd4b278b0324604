#include "intake/app/intake_processor.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/time_util.h>

#include <thread>

#include "common/kafka/topics.h"
#include "common/log/log.h"
#include "intake/app/contact_index.h"
#include "intake/domain/campaign_id.h"
#include "intake/domain/identity.h"
#include "intake/domain/lead_events.h"
#include "intake/domain/normalization.h"
#include "intake/domain/validation.h"

namespace leadflow::intake {
namespace {

using google::protobuf::util::TimeUtil;
using leadflow::intake::v1::LeadSubmission;

struct Holder {
  std::string lead_id;
  std::string token;
};

Holder ParseHolder(const std::string& value) {
  const size_t bar = value.find('|');
  if (bar == std::string::npos) return {value, ""};
  return {value.substr(0, bar), value.substr(bar + 1)};
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

const char* OutcomeLabel(IntakeOutcome outcome) {
  switch (outcome) {
    case IntakeOutcome::kAccepted:
      return "accepted";
    case IntakeOutcome::kDuplicate:
      return "duplicate";
    default:
      return "rejected";
  }
}

std::string SerializeDeterministic(const google::protobuf::Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

IntakeProcessor::IntakeProcessor(std::shared_ptr<const IntakePolicy> policy,
                                 IdempotencyStore& store, AccountDirectory& accounts,
                                 IntakeMetrics& metrics, const Clock& clock, IdGenerator& ids,
                                 const ContactIdKey& contact_ids)
    : policy_(std::move(policy)),
      store_(store),
      accounts_(accounts),
      metrics_(metrics),
      clock_(clock),
      ids_(ids),
      contact_ids_(contact_ids) {}

void IntakeProcessor::CountUnparseable(leadflow::common::v1::ReasonCode reason) {
  metrics_.Received("other", OutcomeLabel(IntakeOutcome::kRejected));
  metrics_.Rejected("other", leadflow::common::v1::ReasonCode_Name(reason));
}

void IntakeProcessor::CountDenied(const std::string& source_id, const std::string& reason) {
  const std::string label = policy_->SourceLabel(source_id);
  metrics_.Received(label, OutcomeLabel(IntakeOutcome::kRejected));
  metrics_.Rejected(label, reason);
}

StatusOr<IntakeResult> IntakeProcessor::Process(const LeadSubmission& sub,
                                                const SubmissionOrigin& origin) {
  return std::move(ProcessMany({Input{&sub, origin}}).front());
}

// One valid submission on its way through ProcessMany's steps.
struct IntakeProcessor::Pending {
  size_t input = 0;  // index into the inputs and results
  NormalizedLead normalized;
  std::string source_label;
  int64_t submitted_ms = 0;
  std::string key;          // idempotency key
  std::string claim_value;  // "<new lead id>|<origin token>"
  std::string lead_id;
  IntakeResult result;
  bool done = false;  // its result is final (duplicate or failure)
};

std::vector<StatusOr<IntakeResult>> IntakeProcessor::ProcessMany(const std::vector<Input>& inputs) {
  const IntakePolicy& policy = *policy_;
  std::vector<StatusOr<IntakeResult>> results(inputs.size(), Status::Internal("not processed"));

  // 1. Validate and normalise; derive each idempotency key and claim.
  std::vector<Pending> pending;
  pending.reserve(inputs.size());
  std::vector<ClaimRequest> claims;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const LeadSubmission& sub = *inputs[i].submission;
    const SubmissionOrigin& origin = inputs[i].origin;
    const std::string source_label = policy.SourceLabel(sub.source_id());
    const auto started = std::chrono::steady_clock::now();
    auto errors = ValidateSubmission(sub, policy);
    if (!errors.empty()) {
      metrics_.ValidationSeconds(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      IntakeResult rejected;
      rejected.source_id = sub.source_id();
      rejected.errors = std::move(errors);
      rejected.outcome = IntakeOutcome::kRejected;
      metrics_.Received(source_label, OutcomeLabel(rejected.outcome));
      metrics_.Rejected(source_label,
                        leadflow::common::v1::ReasonCode_Name(rejected.errors.front().reason()));
      results[i] = std::move(rejected);
      continue;
    }
    Pending p;
    p.input = i;
    p.source_label = source_label;
    p.result.source_id = sub.source_id();
    p.normalized = NormalizeSubmission(sub, policy, contact_ids_);
    metrics_.ValidationSeconds(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    p.submitted_ms = sub.has_submitted_at()
                         ? TimeUtil::TimestampToMilliseconds(sub.submitted_at())
                         : (origin.received_at_ms > 0 ? origin.received_at_ms : clock_.NowMillis());
    p.key =
        IdempotencyKeyFor(sub, p.normalized.contact_key, FloorDiv(p.submitted_ms, 1000), policy);
    p.lead_id = ids_.NewLeadId();
    p.claim_value = p.lead_id + "|" + origin.redelivery_token;
    claims.push_back({p.key, p.claim_value, policy.dedupe_window_seconds(),
                      contact_index_ != nullptr ? p.normalized.lead.contact().contact_id() : ""});
    pending.push_back(std::move(p));
  }

  // 2. The dedupe claims, in input order: a lost claim is a duplicate, or
  // this very record redelivered.
  auto claimed = store_.ClaimMany(claims);
  for (size_t k = 0; k < pending.size(); ++k) {
    Pending& p = pending[k];
    const SubmissionOrigin& origin = inputs[p.input].origin;
    if (!claimed[k].ok()) {
      results[p.input] = claimed[k].status();
      p.done = true;
      continue;
    }
    if (claimed[k]->claimed) {
      p.result.claim_key = p.key;
      p.result.claim_value = p.claim_value;
      continue;
    }
    const Holder holder = ParseHolder(claimed[k]->holder);
    if (holder.lead_id.empty()) {
      results[p.input] = Status::Internal("dedupe record without a lead id");
      p.done = true;
    } else if (!origin.redelivery_token.empty() && holder.token == origin.redelivery_token) {
      p.lead_id = holder.lead_id;
      p.result.redelivered = true;
    } else {
      results[p.input] = Duplicate(p, holder.lead_id, origin);
      p.done = true;
    }
  }

  // 3. The contact index and 4. the registry, for the leads going ahead. A
  // failure gives the claim up (so a retry is not a duplicate) and is transient.
  std::vector<Pending*> ahead;
  for (Pending& p : pending) {
    if (!p.done) ahead.push_back(&p);
  }
  std::vector<std::string> released;  // claim values given up in this batch
  auto fail = [&](Pending& p, std::string message) {
    if (!p.result.claim_key.empty()) {
      (void)store_.Release(p.result.claim_key, p.result.claim_value);
      released.push_back(p.result.claim_value);
    }
    results[p.input] = Status::Unavailable(std::move(message));
    p.done = true;
  };
  // (A store that IndexesContacts() did 3. with the claims, atomically.)
  if (contact_index_ != nullptr && !store_.IndexesContacts() && !ahead.empty()) {
    std::vector<ContactClaim> entries;
    entries.reserve(ahead.size());
    for (const Pending* p : ahead) {
      entries.push_back(
          {p->normalized.lead.contact().contact_id(), p->key, policy.dedupe_window_seconds()});
    }
    auto remembered = contact_index_->RememberMany(entries);
    for (size_t k = 0; k < ahead.size(); ++k) {
      if (!remembered[k].ok()) fail(*ahead[k], remembered[k].message());
    }
  }
  std::vector<Pending*> lookups;
  std::vector<AccountDirectory::ContactKeys> contacts;
  for (Pending* p : ahead) {
    if (p->done) continue;
    const auto& lead = p->normalized.lead;
    lookups.push_back(p);
    contacts.push_back({lead.contact().email(), lead.company().domain(), lead.company().inn()});
  }
  auto accounts = accounts_.LookupMany(contacts);
  std::vector<Pending*> found;
  std::vector<const std::optional<leadflow::accounts::v1::AccountState>*> account_of;
  for (size_t k = 0; k < lookups.size(); ++k) {
    Pending& p = *lookups[k];
    if (!accounts[k].ok()) {
      fail(p, "registry lookup: " + accounts[k].status().message());
      continue;
    }
    found.push_back(&p);
    account_of.push_back(&*accounts[k]);
  }

  // 5. The account's buying-committee coverage, with this lead's contact
  // recorded in it (one request for the batch, in input order, so a later
  // lead of the same account sees an earlier one).
  std::vector<std::optional<std::string>> coverage_keys(found.size());
  std::vector<AccountContactStore::Sighting> sightings;
  std::vector<size_t> sighting_of;  // found index of each sighting
  for (size_t k = 0; k < found.size(); ++k) {
    if (contact_store_ == nullptr) break;
    const auto& lead = found[k]->normalized.lead;
    coverage_keys[k] = CoverageAccountKey(lead, *account_of[k]);
    if (!coverage_keys[k]) continue;
    sightings.push_back({*coverage_keys[k], ContactOfLead(lead)});
    sighting_of.push_back(k);
  }
  std::vector<StatusOr<std::vector<KnownContact>>> seen(
      found.size(), StatusOr<std::vector<KnownContact>>(std::vector<KnownContact>()));
  if (!sightings.empty()) {
    auto recorded = contact_store_->RecordMany(sightings);
    // A view still building (e.g. at the first start on an empty Redis) is
    // waited for a moment before the leads are refused.
    for (auto waited = std::chrono::milliseconds(0); waited < contact_store_wait_;
         waited += std::chrono::milliseconds(100)) {
      bool all_unavailable = true;
      for (const auto& r : recorded) {
        all_unavailable = all_unavailable && r.status().code() == StatusCode::kUnavailable;
      }
      if (!all_unavailable) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      recorded = contact_store_->RecordMany(sightings);
    }
    for (size_t j = 0; j < sighting_of.size(); ++j) {
      seen[sighting_of[j]] =
          j < recorded.size()
              ? std::move(recorded[j])
              : StatusOr<std::vector<KnownContact>>(Status::Internal("coverage: missing result"));
    }
  }
  for (size_t k = 0; k < found.size(); ++k) {
    Pending& p = *found[k];
    if (contact_store_ != nullptr) {
      if (!seen[k].ok()) {
        fail(p, "coverage: " + seen[k].status().message());
        continue;
      }
      auto& lead = p.normalized.lead;
      std::vector<KnownContact> from_leads = std::move(*seen[k]);
      if (!coverage_keys[k]) from_leads = {ContactOfLead(lead)};  // not kept: itself alone
      auto coverage = CoverageOf(from_leads, CrmContacts(*account_of[k]));
      if (coverage_keys[k]) coverage.set_account_key(*coverage_keys[k]);
      *lead.mutable_company()->mutable_coverage() = std::move(coverage);
    }
    results[p.input] = Accept(p, *account_of[k], inputs[p.input].origin);
  }

  // 6. A duplicate of a lead whose claim was just given up waits for it.
  for (const std::string& value : released) {
    const std::string lead_id = ParseHolder(value).lead_id;
    for (const Pending& p : pending) {
      auto& r = results[p.input];
      if (r.ok() && r->outcome == IntakeOutcome::kDuplicate && r->duplicate_of == lead_id) {
        r = Status::Unavailable("the original of this duplicate failed in the same batch");
      }
    }
  }
  return results;
}

IntakeResult IntakeProcessor::Duplicate(Pending& p, const std::string& original_lead_id,
                                        const SubmissionOrigin& origin) {
  IntakeResult& result = p.result;
  result.outcome = IntakeOutcome::kDuplicate;
  result.duplicate_of = original_lead_id;
  // Only the client's own idempotency key ("k-", scoped by source) may learn
  // the original's id back; a repeat found by contact and window gets an id
  // of its own, so a form key cannot ask "who submitted this email".
  result.lead_id = p.key.rfind("k-", 0) == 0 ? original_lead_id : p.lead_id;
  const std::string event_id =
      origin.redelivery_token.empty()
          ? "e-" + ids_.Hex32()
          : "e-" + Hex16(Fnv1a64(origin.redelivery_token)) + Hex16(Fnv1a64(p.key));
  const auto event =
      MakeResubmissionEvent(p.normalized.lead, original_lead_id, event_id, p.submitted_ms);
  kafka::OutgoingMessage msg;
  msg.topic = topics::kEngagementEvents;
  msg.key = event.contact_id();
  msg.payload = SerializeDeterministic(event);
  msg.headers.push_back(
      {topics::kTraceHeader, origin.trace_id.empty() ? event_id.substr(2) : origin.trace_id});
  result.messages.push_back(std::move(msg));
  metrics_.Received(p.source_label, OutcomeLabel(result.outcome));
  return std::move(result);
}

IntakeResult IntakeProcessor::Accept(
    Pending& p, const std::optional<leadflow::accounts::v1::AccountState>& account,
    const SubmissionOrigin& origin) {
  IntakeResult& result = p.result;
  auto& lead = p.normalized.lead;
  ApplyRelationship(account, &lead);
  const std::string trace_id = origin.trace_id.empty() ? p.lead_id.substr(2) : origin.trace_id;
  StampIdentity(p.lead_id, trace_id, p.submitted_ms, &lead);

  kafka::OutgoingMessage msg;
  msg.topic = topics::kLeadsAccepted;
  msg.key = lead.meta().account_key();
  msg.payload = SerializeDeterministic(lead);
  msg.headers.push_back({topics::kTraceHeader, trace_id});
  result.messages.push_back(std::move(msg));
  // The coverage view's own record (docs/state.md, `cov:<account>`), in the
  // same output as the lead: at least once with it, idempotent by key.
  if (auto seen = ContactSeenOf(lead, p.submitted_ms)) {
    kafka::OutgoingMessage contact;
    contact.topic = topics::kAccountsContacts;
    contact.key = ContactSeenKey(seen->account_key(), seen->contact_id());
    contact.payload = SerializeDeterministic(*seen);
    contact.headers.push_back({topics::kTraceHeader, trace_id});
    result.messages.push_back(std::move(contact));
  }
  result.outcome = IntakeOutcome::kAccepted;
  result.lead_id = p.lead_id;
  result.relationship = lead.meta().relationship();
  if (!result.redelivered) {
    metrics_.Received(p.source_label, OutcomeLabel(result.outcome));
    if (lead.meta().campaign_id() == kOtherCampaign) metrics_.UnknownCampaign(p.source_label);
  }
  return std::move(result);
}

StatusOr<IntakeResult> IntakeProcessor::SubmitAndWait(const LeadSubmission& sub,
                                                      const SubmissionOrigin& origin,
                                                      kafka::Producer& producer,
                                                      std::chrono::milliseconds timeout) {
  auto result = Process(sub, origin);
  if (!result.ok()) return result;
  // Last to first, so the lead (messages[0]) goes out last: when its
  // accounts.contacts record fails, the lead is not published and the
  // released claim lets the client's retry publish it once; the other way a
  // retry would publish the lead twice. The contact record is
  // idempotent by key.
  for (auto it = result->messages.rbegin(); it != result->messages.rend(); ++it) {
    const kafka::OutgoingMessage& msg = *it;
    Status s = producer.ProduceAndWait(msg, timeout);
    if (s.ok()) continue;
    if (result->outcome == IntakeOutcome::kAccepted) {
      if (!result->claim_key.empty()) (void)store_.Release(result->claim_key, result->claim_value);
      metrics_.PublishFailed(msg.topic);
      // No lead id or contact data in logs (docs/architecture.md, "Conventions"): topic and error only.
      log::Warn("publishing accepted lead failed", {{"topic", msg.topic}, {"error", s.message()}});
      return Status::Unavailable("publishing the lead failed: " + s.message());
    }
    metrics_.PublishFailed(msg.topic);
    log::Warn("publishing resubmission event failed",
              {{"topic", msg.topic}, {"error", s.message()}});
  }
  return result;
}

}  // namespace leadflow::intake
