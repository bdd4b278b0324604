#include "intake/app/intake_processor.h"

#include <google/protobuf/util/time_util.h>

#include <thread>

#include "common/kafka/topics.h"
#include "common/log/log.h"
#include "common/util/deterministic_bytes.h"
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

// A message to publish: keyed, with the trace-id header.
kafka::OutgoingMessage Outgoing(const char* topic, std::string key,
                                const google::protobuf::Message& payload,
                                const std::string& trace_id) {
  kafka::OutgoingMessage msg;
  msg.topic = topic;
  msg.key = std::move(key);
  msg.payload = SerializeDeterministic(payload);
  msg.headers.push_back({topics::kTraceHeader, trace_id});
  return msg;
}

// Whole seconds of a time in milliseconds, rounded down (before 1970 too).
int64_t SecondsOf(int64_t ms) {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::milliseconds(ms)).count();
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

// One submission on its way through the intake rule. `outcome` is final once
// `done` (rejected, a duplicate, accepted, or a failure).
struct IntakeProcessor::Lead {
  const LeadSubmission* submission = nullptr;
  const SubmissionOrigin* origin = nullptr;
  StatusOr<IntakeResult> outcome = Status::Internal("not processed");
  bool done = false;
  bool released = false;  // its claim was given up in this batch
  NormalizedLead normalized;
  std::string source_label;
  int64_t submitted_ms = 0;
  std::string key;          // idempotency key
  std::string claim_value;  // "<new lead id>|<origin token>"
  std::string lead_id;
  std::optional<leadflow::accounts::v1::AccountState> account;  // the registry's, if any
  std::optional<std::string> coverage_key;  // the account its coverage is kept under
  IntakeResult result;

  void Finish(StatusOr<IntakeResult> r) {
    outcome = std::move(r);
    done = true;
  }
};

namespace {

// The leads not yet done, in order.
template <class Leads>
auto Going(Leads& leads) {
  std::vector<decltype(&leads.front())> out;
  for (auto& lead : leads) {
    if (!lead.done) out.push_back(&lead);
  }
  return out;
}

}  // namespace

// The intake rule, for each lead of the batch in input order (docs/domain-rules.md
// §1, §2; intake_processor.h):
//   1. Screen: validate (else rejected) and normalise; its idempotency key.
//   2. Dedupe: claim the key: a new lead, this very record redelivered, or a
//      duplicate of the holder's lead.
//   3. Remember the claim under its contact, for erasure.
//   4. Classify: the registry says CUSTOMER or PROSPECT.
//   5. Cover: the account's buying committee, with this lead's contact in it;
//      then Accept: the LeadAccepted (and its accounts.contacts record).
// Steps 2 to 5 each wait for one Redis request made for all the leads of the
// batch still going; a lead that fails after its claim gives the claim up.
std::vector<StatusOr<IntakeResult>> IntakeProcessor::ProcessMany(const std::vector<Input>& inputs) {
  std::vector<Lead> leads(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    leads[i].submission = inputs[i].submission;
    leads[i].origin = &inputs[i].origin;
    Screen(leads[i]);
  }
  ClaimKeys(Going(leads));
  RememberContacts(Going(leads));
  LookupAccounts(Going(leads));
  RecordCoverage(Going(leads));
  // A duplicate of a lead whose claim was just given up waits for it.
  for (const Lead& original : leads) {
    if (!original.released) continue;
    for (Lead& lead : leads) {
      auto& r = lead.outcome;
      if (r.ok() && r->outcome == IntakeOutcome::kDuplicate &&
          r->duplicate_of == original.lead_id) {
        r = Status::Unavailable("the original of this duplicate failed in the same batch");
      }
    }
  }
  std::vector<StatusOr<IntakeResult>> results;
  results.reserve(leads.size());
  for (Lead& lead : leads) results.push_back(std::move(lead.outcome));
  return results;
}

// 1. Validation and normalisation (the errors name each field); a valid lead
// gets its submission time, its idempotency key and a new lead id.
bool IntakeProcessor::Screen(Lead& lead) {
  const LeadSubmission& sub = *lead.submission;
  const IntakePolicy& policy = *policy_;
  lead.source_label = policy.SourceLabel(sub.source_id());
  const auto started = std::chrono::steady_clock::now();
  auto errors = ValidateSubmission(sub, policy);
  if (errors.empty()) lead.normalized = NormalizeSubmission(sub, policy, contact_ids_);
  metrics_.ValidationSeconds(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (!errors.empty()) {
    Reject(lead, std::move(errors));
    return false;
  }
  lead.result.source_id = sub.source_id();
  const int64_t received_ms =
      lead.origin->received_at_ms > 0 ? lead.origin->received_at_ms : clock_.NowMillis();
  lead.submitted_ms =
      sub.has_submitted_at() ? TimeUtil::TimestampToMilliseconds(sub.submitted_at()) : received_ms;
  lead.key =
      IdempotencyKeyFor(sub, lead.normalized.contact_key, SecondsOf(lead.submitted_ms), policy);
  lead.lead_id = ids_.NewLeadId();
  lead.claim_value = lead.lead_id + "|" + lead.origin->redelivery_token;
  return true;
}

void IntakeProcessor::Reject(Lead& lead, std::vector<leadflow::common::v1::FieldError> errors) {
  IntakeResult rejected;
  rejected.source_id = lead.submission->source_id();
  rejected.errors = std::move(errors);
  rejected.outcome = IntakeOutcome::kRejected;
  metrics_.Received(lead.source_label, OutcomeLabel(rejected.outcome));
  metrics_.Rejected(lead.source_label,
                    leadflow::common::v1::ReasonCode_Name(rejected.errors.front().reason()));
  lead.Finish(std::move(rejected));
}

// 2. The first submission with a key wins it; a lost claim is a duplicate, or
// this very record redelivered (the holder has its origin token).
void IntakeProcessor::Dedupe(Lead& lead, StatusOr<ClaimResult> claim) {
  if (!claim.ok()) {
    lead.Finish(claim.status());
    return;
  }
  if (claim->claimed) {
    lead.result.claim_key = lead.key;
    lead.result.claim_value = lead.claim_value;
    return;
  }
  const Holder holder = ParseHolder(claim->holder);
  const std::string& token = lead.origin->redelivery_token;
  if (holder.lead_id.empty()) {
    lead.Finish(Status::Internal("dedupe record without a lead id"));
  } else if (!token.empty() && holder.token == token) {
    lead.lead_id = holder.lead_id;
    lead.result.redelivered = true;
  } else {
    lead.Finish(Duplicate(lead, holder.lead_id));
  }
}

// 4. The registry's account, if any: it makes the lead CUSTOMER or PROSPECT
// (applied in Accept).
void IntakeProcessor::Classify(
    Lead& lead, StatusOr<std::optional<leadflow::accounts::v1::AccountState>> account) {
  if (!account.ok()) {
    GiveUp(lead, "registry lookup: " + account.status().message());
    return;
  }
  lead.account = std::move(*account);
}

// 5. The account's coverage, from the contacts seen on its leads (this one
// included) and its CRM contacts; then the lead is accepted.
void IntakeProcessor::Cover(Lead& lead, StatusOr<SeenContactsSummary> seen) {
  if (!seen.ok()) {
    GiveUp(lead, "coverage: " + seen.status().message());
    return;
  }
  auto& accepted = lead.normalized.lead;
  const std::vector<KnownContact> crm = CrmContacts(lead.account);
  if (!lead.coverage_key) *seen = SummariseSeen({ContactOfLead(accepted)}, crm);  // itself alone
  auto coverage = CoverageOfSummary(*seen, crm);
  if (lead.coverage_key) coverage.set_account_key(*lead.coverage_key);
  *accepted.mutable_company()->mutable_coverage() = std::move(coverage);
  lead.Finish(Accept(lead));
}

// A lead that fails after its claim gives the claim up, so that a retry is
// not taken for a duplicate; the failure is transient.
void IntakeProcessor::GiveUp(Lead& lead, std::string why) {
  if (!lead.result.claim_key.empty()) {
    (void)store_.Release(lead.result.claim_key, lead.result.claim_value);
    lead.released = true;
  }
  lead.Finish(Status::Unavailable(std::move(why)));
}

// The batch's dedupe claims, in input order, so that a repeat of an earlier
// input of the batch is its duplicate.
void IntakeProcessor::ClaimKeys(const std::vector<Lead*>& going) {
  std::vector<ClaimRequest> claims;
  claims.reserve(going.size());
  for (const Lead* lead : going) {
    claims.push_back(
        {lead->key, lead->claim_value, policy_->dedupe_window_seconds(),
         contact_index_ != nullptr ? lead->normalized.lead.contact().contact_id() : ""});
  }
  auto claimed = store_.ClaimMany(claims);
  for (size_t k = 0; k < going.size(); ++k) Dedupe(*going[k], std::move(claimed[k]));
}

// 3. (A store that IndexesContacts() did this with the claims, atomically.)
void IntakeProcessor::RememberContacts(const std::vector<Lead*>& going) {
  if (contact_index_ == nullptr || store_.IndexesContacts() || going.empty()) return;
  std::vector<ContactClaim> entries;
  entries.reserve(going.size());
  for (const Lead* lead : going) {
    entries.push_back({lead->normalized.lead.contact().contact_id(), lead->key,
                       policy_->dedupe_window_seconds()});
  }
  auto remembered = contact_index_->RememberMany(entries);
  for (size_t k = 0; k < going.size(); ++k) {
    if (!remembered[k].ok()) GiveUp(*going[k], remembered[k].message());
  }
}

void IntakeProcessor::LookupAccounts(const std::vector<Lead*>& going) {
  std::vector<AccountDirectory::ContactKeys> contacts;
  contacts.reserve(going.size());
  for (const Lead* lead : going) {
    const auto& l = lead->normalized.lead;
    contacts.push_back({l.contact().email(), l.company().domain(), l.company().inn()});
  }
  auto accounts = accounts_.LookupMany(contacts);
  for (size_t k = 0; k < going.size(); ++k) Classify(*going[k], std::move(accounts[k]));
}

// One request for the batch, in input order, so that a later lead of the same
// account sees an earlier one. Without a contact store the leads carry no
// coverage.
void IntakeProcessor::RecordCoverage(const std::vector<Lead*>& going) {
  if (contact_store_ == nullptr) {
    for (Lead* lead : going) lead->Finish(Accept(*lead));
    return;
  }
  std::vector<AccountContactStore::Sighting> sightings;
  for (Lead* lead : going) {
    lead->coverage_key = CoverageAccountKey(lead->normalized.lead, lead->account);
    if (lead->coverage_key) {
      sightings.push_back({*lead->coverage_key, ContactOfLead(lead->normalized.lead), {}});
      for (const KnownContact& c : CrmContacts(lead->account)) {
        sightings.back().crm_contact_ids.push_back(c.contact_id);
      }
    }
  }
  std::vector<StatusOr<SeenContactsSummary>> recorded;
  if (!sightings.empty()) recorded = RecordWaitingForView(sightings);
  size_t j = 0;  // the next entry of `recorded`
  for (Lead* lead : going) {
    if (!lead->coverage_key) {
      Cover(*lead, SeenContactsSummary());
    } else if (j < recorded.size()) {
      Cover(*lead, std::move(recorded[j++]));
    } else {
      Cover(*lead, Status::Internal("coverage: missing result"));
    }
  }
}

// A view still building (e.g. at the first start on an empty Redis) is
// waited for a moment before the leads are refused.
std::vector<StatusOr<SeenContactsSummary>> IntakeProcessor::RecordWaitingForView(
    const std::vector<AccountContactStore::Sighting>& sightings) {
  auto recorded = contact_store_->RecordMany(sightings);
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
  return recorded;
}

IntakeResult IntakeProcessor::Duplicate(Lead& lead, const std::string& original_lead_id) {
  IntakeResult& result = lead.result;
  const SubmissionOrigin& origin = *lead.origin;
  result.outcome = IntakeOutcome::kDuplicate;
  result.duplicate_of = original_lead_id;
  // Only the client's own idempotency key ("k-", scoped by source) may learn
  // the original's id back; a repeat found by contact and window gets an id
  // of its own, so a form key cannot ask "who submitted this email".
  result.lead_id = lead.key.rfind("k-", 0) == 0 ? original_lead_id : lead.lead_id;
  const std::string event_id =
      origin.redelivery_token.empty()
          ? "e-" + ids_.Hex32()
          : "e-" + Hex16(Fnv1a64(origin.redelivery_token)) + Hex16(Fnv1a64(lead.key));
  const auto event =
      MakeResubmissionEvent(lead.normalized.lead, original_lead_id, event_id, lead.submitted_ms);
  const std::string trace_id = origin.trace_id.empty() ? event_id.substr(2) : origin.trace_id;
  result.messages.push_back(
      Outgoing(topics::kEngagementEvents, event.contact_id(), event, trace_id));
  metrics_.Received(lead.source_label, OutcomeLabel(result.outcome));
  return std::move(result);
}

IntakeResult IntakeProcessor::Accept(Lead& lead) {
  IntakeResult& result = lead.result;
  auto& accepted = lead.normalized.lead;
  ApplyRelationship(lead.account, &accepted);
  const std::string trace_id =
      lead.origin->trace_id.empty() ? lead.lead_id.substr(2) : lead.origin->trace_id;
  StampIdentity(lead.lead_id, trace_id, lead.submitted_ms, &accepted);
  result.messages.push_back(
      Outgoing(topics::kLeadsAccepted, accepted.meta().account_key(), accepted, trace_id));
  // The coverage view's own record (docs/state.md, `cov:<account>`), in the
  // same output as the lead: at least once with it, idempotent by key.
  if (auto seen = ContactSeenOf(accepted, lead.submitted_ms)) {
    result.messages.push_back(Outgoing(topics::kAccountsContacts,
                                       ContactSeenKey(seen->account_key(), seen->contact_id()),
                                       *seen, trace_id));
  }
  result.outcome = IntakeOutcome::kAccepted;
  result.lead_id = lead.lead_id;
  result.relationship = accepted.meta().relationship();
  if (!result.redelivered) {
    metrics_.Received(lead.source_label, OutcomeLabel(result.outcome));
    if (accepted.meta().campaign_id() == kOtherCampaign) {
      metrics_.UnknownCampaign(lead.source_label);
    }
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
      // No lead id or contact data in logs (docs/architecture.md, "Conventions"): topic and error
      // only.
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
