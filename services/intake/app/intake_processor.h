// The one pipeline every intake input shares (gRPC SubmitLead, HTTP POST
// /v1/leads, the leads.submitted topic):
//
//   validate -> normalise -> dedupe claim in Redis -> registry lookup
//   (CUSTOMER / PROSPECT) -> the account's buying-committee coverage ->
//   LeadAccepted on leads.accepted
//
// Dedupe: the idempotency key (client-supplied, else derived from the contact,
// source and time-window bucket) is claimed with SET NX EX <window>; the claim
// holds "<lead_id>|<origin token>". Exactly one of any number of concurrent
// identical submissions wins. A losing submission is a duplicate: it gets the
// original lead id (duplicate_of) and a FORM_RESUBMITTED EngagementEvent on
// engagement.events (keyed by contact id) instead of a second lead.
//
// Redelivery: at-least-once inputs (the topic) pass an origin token
// "<topic>/<partition>/<offset>". When the key's holder has the same token,
// the record is being redelivered (e.g. after a failed flush); the original
// lead is rebuilt with the same lead id, trace id and timestamps, so the
// re-published event has the same content.
//
// Failures: kUnavailable when Redis/registry is down (the claim is released so
// a retry is not mistaken for a duplicate). Field problems are not failures:
// they are an IntakeResult with outcome kRejected and errors.
//
// Threading: Process() is thread-safe; the processor holds references to its
// collaborators, which must outlive it.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/kafka/message.h"
#include "common/kafka/producer.h"
#include "common/util/clock.h"
#include "intake/app/account_contact_store.h"
#include "intake/app/account_directory.h"
#include "intake/app/id_generator.h"
#include "intake/app/idempotency_store.h"
#include "intake/app/intake_metrics.h"
#include "intake/domain/contact_id_key.h"
#include "intake/domain/intake_policy.h"
#include "leadflow/intake/v1/intake.pb.h"

namespace leadflow::intake {

class ContactIndex;

struct SubmissionOrigin {
  // Non-empty for at-least-once inputs: identifies the consumed record.
  std::string redelivery_token;
  // The caller's trace id (header / metadata); empty = derived from the lead id.
  std::string trace_id;
  // When the submission has no submitted_at: the record's timestamp or "now"
  // (0 = read the clock).
  int64_t received_at_ms = 0;
};

enum class IntakeOutcome { kAccepted, kRejected, kDuplicate };

const char* OutcomeLabel(IntakeOutcome outcome);

struct IntakeResult {
  IntakeOutcome outcome = IntakeOutcome::kRejected;
  // kAccepted: the new lead. kDuplicate: what the caller is told, the same
  // as for a new lead (docs/security.md, "No oracles"): the original's id for
  // a repeat of the client's own idempotency key, else this submission's own
  // fresh id, so nobody learns another submission's lead id.
  std::string lead_id;
  std::string duplicate_of;  // kDuplicate: the original lead (internal; never answered)
  std::vector<leadflow::common::v1::FieldError> errors;  // kRejected
  leadflow::common::v1::Relationship relationship = leadflow::common::v1::RELATIONSHIP_UNSPECIFIED;
  bool redelivered = false;  // kAccepted re-built for a redelivered record
  std::string source_id;
  // What to publish, keyed and with the trace-id header: one leads.accepted
  // (kAccepted; first) and, for a lead with a kept coverage, its
  // accounts.contacts record; or one engagement.events (kDuplicate).
  std::vector<kafka::OutgoingMessage> messages;
  // The claim to release if publishing fails (kAccepted, not redelivered).
  std::string claim_key;
  std::string claim_value;
};

class IntakeProcessor {
 public:
  IntakeProcessor(std::shared_ptr<const IntakePolicy> policy, IdempotencyStore& store,
                  AccountDirectory& accounts, IntakeMetrics& metrics, const Clock& clock,
                  IdGenerator& ids, const ContactIdKey& contact_ids);

  // Runs the pipeline; publishing is the caller's (see SubmitAndWait and the
  // topic handler). Records leads_received_total (not for redeliveries).
  StatusOr<IntakeResult> Process(const leadflow::intake::v1::LeadSubmission& submission,
                                 const SubmissionOrigin& origin);

  // Process() of many submissions (a consumer batch) with one Redis request
  // per step instead of one per submission: all dedupe claims (in input
  // order, so a repeat of an earlier input of the batch is its duplicate),
  // then the contact index, then the registry lookups. One result per input,
  // in order. A duplicate whose original failed later in the same batch (its
  // claim released) is kUnavailable too, so that it is retried after it.
  struct Input {
    const leadflow::intake::v1::LeadSubmission* submission;
    SubmissionOrigin origin;
  };
  std::vector<StatusOr<IntakeResult>> ProcessMany(const std::vector<Input>& inputs);

  // For synchronous APIs: Process(), then ProduceAndWait() each message, so the
  // answer comes only after leads.accepted is durable. If publishing the lead
  // fails, the claim is released and kUnavailable returned (the client may
  // retry). A failed engagement event for a duplicate is logged, not fatal.
  StatusOr<IntakeResult> SubmitAndWait(const leadflow::intake::v1::LeadSubmission& submission,
                                       const SubmissionOrigin& origin, kafka::Producer& producer,
                                       std::chrono::milliseconds timeout);

  // Counts an input that could not even be parsed (source unknown: "other").
  void CountUnparseable(leadflow::common::v1::ReasonCode reason);
  // Counts a synchronous request refused before processing (missing/unknown
  // API key: source_id empty -> "other"; rate limit; source mismatch) with a
  // bounded reason label such as "UNAUTHENTICATED" or "RATE_LIMITED".
  void CountDenied(const std::string& source_id, const std::string& reason);

  const IntakePolicy& policy() const { return *policy_; }
  IntakeMetrics& metrics() { return metrics_; }
  // Optional (set before use): every accepted lead's claim is remembered
  // under its contact id, so an erasure finds it (see contact_index.h).
  void set_contact_index(ContactIndex* index) { contact_index_ = index; }
  // Optional (set before use; production always sets it): every accepted
  // lead's contact is recorded in its account's coverage, and the lead
  // carries the account's coverage (Company.coverage, intake/domain/
  // account_coverage.h). While the store's view is not ready the lead waits
  // (kUnavailable, its claim released), like a registry lookup; with
  // `max_wait`, a batch the store refuses whole is tried again every 100 ms
  // for up to that long first (a view still building at start-up).
  void set_contact_store(AccountContactStore* store,
                         std::chrono::milliseconds max_wait = std::chrono::milliseconds(0)) {
    contact_store_ = store;
    contact_store_wait_ = max_wait;
  }

 private:
  // One submission on its way through the intake rule (intake_processor.cc).
  struct Lead;

  // The intake rule for one lead, a step per Redis request of the batch
  // (docs/domain-rules.md §1, §2; the order is ProcessMany's).
  bool Screen(Lead& lead);
  void Reject(Lead& lead, std::vector<leadflow::common::v1::FieldError> errors);
  void Dedupe(Lead& lead, StatusOr<ClaimResult> claim);
  void Classify(Lead& lead, StatusOr<std::optional<leadflow::accounts::v1::AccountState>> account);
  void Cover(Lead& lead, StatusOr<SeenContactsSummary> seen);
  IntakeResult Duplicate(Lead& lead, const std::string& original_lead_id);
  IntakeResult Accept(Lead& lead);
  void GiveUp(Lead& lead, std::string why);

  // The batching layer: one request for all the batch's leads still going.
  void ClaimKeys(const std::vector<Lead*>& going);
  void RememberContacts(const std::vector<Lead*>& going);
  void LookupAccounts(const std::vector<Lead*>& going);
  void RecordCoverage(const std::vector<Lead*>& going);
  std::vector<StatusOr<SeenContactsSummary>> RecordWaitingForView(
      const std::vector<AccountContactStore::Sighting>& sightings);

  std::shared_ptr<const IntakePolicy> policy_;
  IdempotencyStore& store_;
  AccountDirectory& accounts_;
  IntakeMetrics& metrics_;
  const Clock& clock_;
  IdGenerator& ids_;
  const ContactIdKey& contact_ids_;
  ContactIndex* contact_index_ = nullptr;
  AccountContactStore* contact_store_ = nullptr;
  std::chrono::milliseconds contact_store_wait_{0};
};

}  // namespace leadflow::intake
