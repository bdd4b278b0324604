// Enrolment (docs/domain-rules.md §1, §7): leads.nurture and accounts.inbound,
// a consumer batch at a time, and the enrolments the other paths make (a
// migration, a programme cycle).
//
//  - leads.nurture: prospects from routing, including leads sales rejected
//    with a protected reason (NurtureRequested.reason), which re-enter the
//    right track under a fresh enrolment. A request stamped CUSTOMER is a
//    routing violation: blocked, logged, counted in
//    leadflow_audience_violations_total and dead-lettered (AUDIENCE_MISMATCH).
//  - accounts.inbound: customer leads enter a customer track (personalised
//    updates, satisfaction audit, upsell).
// The contact's audience is taken from nurture's CURRENT registry view: a
// lead whose account has become a customer enters a customer track.
// Enrolment is idempotent (enrolment id = lead_id:track_id[~reason]); a lead
// twice in a batch enrols once.
//
// One lead's rule is Decide(); the batch layer (EnrolAll) gathers the batch's
// reads into pipelined round trips (the registry view: two; the lead indexes
// and unsubscribe sets: one), calls Decide for each lead in batch order, and
// writes the enrolments in one script run: the same decisions as one message
// at a time. Thread-safe as far as its stores are.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/kafka/consumer_loop.h"
#include "common/registry/account_registry.h"
#include "common/util/clock.h"
#include "nurture/app/nurture_metrics.h"
#include "nurture/app/nurture_store.h"
#include "nurture/domain/nurture_policy.h"

namespace leadflow::nurture {

class SingleContactFlags;

// An enrolment to make: the request, and the audience when it is known (a
// migration) rather than looked up in the registry view.
struct EnrolRequest {
  leadflow::routing::v1::NurtureRequested req;
  std::optional<leadflow::common::v1::Relationship> audience;
  std::string account_key;
  std::string suffix;  // makes a re-entry a fresh enrolment
  bool once = false;   // not if the lead has an enrolment already
  // The track, when it is chosen already (a programme's); else by selector.
  const leadflow::config::v1::Track* track = nullptr;
};

class EnrolmentHandler {
 public:
  EnrolmentHandler(std::shared_ptr<const NurturePolicy> policy, NurtureStore& store,
                   registry::AccountRegistry& registry, NurtureMetrics& metrics, const Clock& clock)
      : policy_(std::move(policy)),
        store_(store),
        registry_(registry),
        metrics_(metrics),
        clock_(clock) {}

  // Never one lonely channel (nurture/domain/single_contact.h): with flags, a
  // customer lead on accounts.inbound whose account coverage counts one
  // contact tells the account's owner (SINGLE_CONTACT on
  // accounts.notifications), at most once per account per 90 days. Call
  // before the consumers start.
  void SetSingleContactFlags(SingleContactFlags* flags) { single_contact_ = flags; }

  // leads.nurture and accounts.inbound, a consumer batch at a time.
  std::vector<kafka::HandledMessage> HandleBatch(const std::vector<kafka::ConsumedMessage>& batch);

  // Enrols each request's lead in the best track of its audience, in order;
  // one status each: kInvalidArgument when no track matches (dead-lettered by
  // the consumer loop); Ok without enrolling when the contact unsubscribed or
  // (`once`) the lead is enrolled already.
  // `notices` (when given, one list per request) receives the
  // ACCOUNT_DEVELOPMENT notification of a lead enrolled for a protected
  // rejection, to be produced with the request's outcome.
  std::vector<Status> EnrolAll(const std::vector<EnrolRequest>& requests,
                               std::vector<std::vector<kafka::OutgoingMessage>>* notices = nullptr);
  // EnrolAll of one request with a known audience.
  Status EnrolIn(const leadflow::routing::v1::NurtureRequested& req,
                 leadflow::common::v1::Relationship audience, const std::string& account_key,
                 const std::string& suffix);

 private:
  // What the batch read of one lead.
  struct LeadFacts {
    // The contact's account in the registry view (nullptr: the audience is known).
    const StatusOr<std::optional<leadflow::accounts::v1::AccountState>>* account = nullptr;
    const StatusOr<EnrolChecks>* checks = nullptr;
  };
  // An enrolment decided on, to be written.
  struct Planned {
    size_t request = 0;  // its index in the batch's requests
    NewEnrolment enrolment;
    const leadflow::config::v1::Track* track = nullptr;
    const leadflow::accounts::v1::AccountState* account = nullptr;
  };
  // Parses a leads.nurture / accounts.inbound record and applies the wall at
  // the door; false when `result` is final (bad record, blocked violation).
  bool Decode(const kafka::ConsumedMessage& message, kafka::HandledMessage& result,
              EnrolRequest& request);
  // One lead's rule: the enrolment to write, nullopt when it does not enrol
  // (enrolled once already, unsubscribed), or why it cannot.
  StatusOr<std::optional<Planned>> Decide(const EnrolRequest& r, const LeadFacts& facts,
                                          std::set<std::string>& enrolling, int64_t now_ms);
  // Writes the planned enrolments in one script run; counts and logs the new
  // ones and collects the account development notices.
  void WriteAll(const std::vector<EnrolRequest>& requests, const std::vector<Planned>& planned,
                std::vector<Status>& statuses,
                std::vector<std::vector<kafka::OutgoingMessage>>* notices, int64_t now_ms);
  // SINGLE_CONTACT notices for the batch's customer leads whose account is
  // known as one contact (claims in one round trip); a failed claim fails its
  // record (kUnavailable, retried).
  void FlagSingleContacts(const std::vector<kafka::ConsumedMessage>& batch,
                          const std::vector<size_t>& index,
                          const std::vector<EnrolRequest>& requests, std::vector<Status>& statuses,
                          std::vector<std::vector<kafka::OutgoingMessage>>& notices);

  std::shared_ptr<const NurturePolicy> policy_;
  NurtureStore& store_;
  registry::AccountRegistry& registry_;
  NurtureMetrics& metrics_;
  const Clock& clock_;
  SingleContactFlags* single_contact_ = nullptr;
};

}  // namespace leadflow::nurture
