// NurtureEngine's enrolment path, a consumer batch at a time (leads.nurture
// and accounts.inbound; see nurture_engine.h). Per batch: the registry view
// of every contact (two pipelined round trips), the lead indexes and
// unsubscribe sets (one), the enrolment script (one run for all); the decisions
// in between are taken in batch order, exactly as one message at a time.
#include "common/kafka/dead_letter.h"
#include "common/kafka/topics.h"
#include "common/log/log.h"
#include "nurture/app/nurture_engine.h"
#include "nurture/app/single_contact_flags.h"
#include "nurture/domain/account_development.h"
#include "nurture/domain/audience_guard.h"
#include "nurture/domain/single_contact.h"
#include "nurture/domain/touch_plan.h"

namespace leadflow::nurture {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

namespace {

Status ValidateRequest(const rv1::NurtureRequested& req) {
  const auto& lead = req.scored().lead();
  if (lead.meta().lead_id().empty()) {
    return Status::InvalidArgument("scored.lead.meta.lead_id: required", cv1::MISSING_FIELD);
  }
  if (lead.contact().contact_id().empty()) {
    return Status::InvalidArgument("scored.lead.contact.contact_id: required", cv1::MISSING_FIELD);
  }
  return Status::Ok();
}

}  // namespace

bool NurtureEngine::DecodeEnrolment(const kafka::ConsumedMessage& message,
                                    kafka::HandledMessage& result, EnrolRequest& request) {
  const bool customer = message.topic == topics::kAccountsInbound;
  rv1::NurtureRequested& req = request.req;
  if (customer) {
    rv1::CustomerInbound in;
    if (!in.ParseFromString(message.payload)) {
      result.status = Status::InvalidArgument("accounts.inbound payload is not a CustomerInbound",
                                              cv1::MALFORMED_PAYLOAD);
      return false;
    }
    *req.mutable_scored() = std::move(*in.mutable_scored());
    *req.mutable_decision() = std::move(*in.mutable_decision());
  } else if (!req.ParseFromString(message.payload)) {
    result.status = Status::InvalidArgument("leads.nurture payload is not a NurtureRequested",
                                            cv1::MALFORMED_PAYLOAD);
    return false;
  }
  if (Status s = ValidateRequest(req); !s.ok()) {
    result.status = s;
    return false;
  }
  const auto& meta = req.scored().lead().meta();
  // The wall at the door: routing puts prospects only on leads.nurture and
  // customers only on accounts.inbound.
  const AudienceVerdict verdict =
      AudienceGuard::Check(customer ? cv1::CUSTOMER : cv1::PROSPECT, meta.relationship());
  if (!verdict.allowed) {
    metrics_.AudienceViolation();
    log::Error(customer ? "audience violation blocked at customer enrolment"
                        : "audience violation blocked at enrolment",
               {{"lead_id", meta.lead_id()}, {"detail", verdict.detail}});
    auto rej = kafka::MakeRejection(
        message, leadflow::intake::v1::NURTURE, cv1::AUDIENCE_MISMATCH,
        std::string(customer ? "customer" : "prospect") + " nurture refused: " + verdict.detail,
        clock_.NowMillis());
    *rej.mutable_meta() = meta;
    result.out.push_back(kafka::ToDeadLetterMessage(rej));
    return false;
  }
  request.account_key = meta.account_key().empty() ? message.key : meta.account_key();
  // A lead enrols once: a redelivery or a rescore leaves its enrolment (active
  // or ended by an exit) as it is. Only sales sending it back with a
  // protected reason makes it re-enter, under a fresh enrolment.
  const bool reentry = !customer && req.reason() != cv1::REASON_UNSPECIFIED;
  request.once = !reentry;
  request.suffix = reentry ? "~" + cv1::ReasonCode_Name(req.reason()) : "";
  return true;
}

std::vector<kafka::HandledMessage> NurtureEngine::HandleEnrolments(
    const std::vector<kafka::ConsumedMessage>& batch) {
  std::vector<kafka::HandledMessage> results(batch.size());
  std::vector<EnrolRequest> requests;
  std::vector<size_t> index;  // batch index of each request
  requests.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    EnrolRequest r;
    if (!DecodeEnrolment(batch[i], results[i], r)) continue;
    requests.push_back(std::move(r));
    index.push_back(i);
  }
  std::vector<std::vector<kafka::OutgoingMessage>> notices(requests.size());
  std::vector<Status> statuses = EnrolAll(requests, &notices);
  FlagSingleContacts(batch, index, requests, statuses, notices);
  for (size_t k = 0; k < requests.size(); ++k) {
    results[index[k]].status = statuses[k];
    if (statuses[k].ok()) results[index[k]].out = std::move(notices[k]);
  }
  return results;
}

std::vector<Status> NurtureEngine::EnrolAll(
    const std::vector<EnrolRequest>& requests,
    std::vector<std::vector<kafka::OutgoingMessage>>* notices) {
  std::vector<Status> statuses(requests.size());
  if (requests.empty()) return statuses;
  // 1. Reads for the whole batch. Nurture's own, current registry view decides
  // the audience: a prospect whose account has just become a customer goes to
  // a customer track, never a prospect one.
  std::vector<registry::AccountRegistry::ContactKeys> lookups;
  std::vector<size_t> lookup_of(requests.size(), SIZE_MAX);
  std::vector<EnrolCheckQuery> checks;
  for (size_t k = 0; k < requests.size(); ++k) {
    const auto& lead = requests[k].req.scored().lead();
    if (!requests[k].audience.has_value()) {
      lookup_of[k] = lookups.size();
      lookups.push_back({lead.contact().email(), lead.company().domain(), lead.company().inn()});
    }
    checks.push_back({requests[k].once ? lead.meta().lead_id() : "", lead.contact().contact_id(),
                      lead.contact().email()});
  }
  const auto accounts = registry_.LookupMany(lookups);
  const auto checked = store_.EnrolChecksMany(checks);
  // 2. Decisions, in batch order.
  std::vector<NewEnrolment> enrolments;
  std::vector<size_t> enrolment_of;  // request index of each enrolment
  std::vector<const leadflow::config::v1::Track*> track_of;                  // per enrolment
  std::vector<const leadflow::accounts::v1::AccountState*> account_of;       // per enrolment
  enrolments.reserve(requests.size());
  std::set<std::string> enrolling;  // leads enrolled earlier in this batch
  const int64_t now_ms = clock_.NowMillis();
  for (size_t k = 0; k < requests.size(); ++k) {
    const EnrolRequest& r = requests[k];
    const auto& lead = r.req.scored().lead();
    const auto& meta = lead.meta();
    cv1::Relationship audience = cv1::PROSPECT;
    const leadflow::accounts::v1::AccountState* account = nullptr;
    if (r.audience.has_value()) {
      audience = *r.audience;
    } else {
      const auto& acct = accounts[lookup_of[k]];
      if (!acct.ok()) {
        statuses[k] = acct.status();
        continue;
      }
      if (acct->has_value()) account = &**acct;
      if (account != nullptr && account->relationship() == cv1::CUSTOMER) audience = cv1::CUSTOMER;
    }
    if (!checked[k].ok()) {
      statuses[k] = checked[k].status();
      continue;
    }
    if (r.once && (!checked[k]->lead_enrolments.empty() || enrolling.count(meta.lead_id()) > 0)) {
      continue;  // enrols once (redelivery, rescore, re-routing)
    }
    if (checked[k]->unsubscribed) {
      log::Info("not enrolled: contact unsubscribed", {{"lead_id", meta.lead_id()}});
      continue;
    }
    TrackQuery q;
    q.audience = audience;
    q.segment = r.req.scored().segment();
    q.buyer_class = lead.contact().buyer_class();
    q.decision_role = lead.contact().decision_role();
    q.intent = lead.intent();  // opens an opt-in track the contact asked for
    q.rejection_reason = r.req.reason();  // a protected rejection: account development
    q.buyer_stage = r.req.scored().buyer_stage() != cv1::BUYER_STAGE_UNSPECIFIED
                        ? r.req.scored().buyer_stage()
                        : lead.buyer_stage();
    // The account's buying committee as of the lead's intake: a track may aim
    // this contact at a class not yet engaged (docs/domain-rules.md §2).
    const auto& coverage = lead.company().coverage();
    q.coverage_known = coverage.known();
    for (const int cls : coverage.missing_classes()) {
      q.missing_buyer_classes.push_back(static_cast<cv1::BuyerClass>(cls));
    }
    const auto* track = r.track != nullptr ? r.track : policy_->SelectTrack(q);
    if (track != nullptr && track->audience() != audience) {
      statuses[k] = Status::Internal("a " + cv1::Relationship_Name(track->audience()) +
                                     " track for a " + cv1::Relationship_Name(audience));
      continue;  // never across the wall (programme tracks are validated CUSTOMER)
    }
    if (track == nullptr) {
      statuses[k] = Status::InvalidArgument(
          "no " + cv1::Relationship_Name(audience) + " nurture track matches this lead",
          cv1::INVALID_FIELD);
      continue;
    }
    NewEnrolment e;
    e.enrolment_id = EnrolmentId(meta.lead_id(), track->track_id()) + r.suffix;
    e.contact_id = lead.contact().contact_id();
    e.lead_id = meta.lead_id();
    e.track_id = track->track_id();
    e.audience = track->audience();
    e.account_key = r.account_key;
    e.email = lead.contact().email();
    e.trace_id = meta.trace_id();
    e.enrolled_ms = now_ms;
    const auto plan = PlanTouches(*policy_, *track, e.enrolment_id, now_ms);
    e.first_touch_id = plan.front().touch_id;  // validated: every track has steps
    e.first_due_ms = plan.front().due_ms;
    enrolments.push_back(std::move(e));
    enrolment_of.push_back(k);
    track_of.push_back(track);
    account_of.push_back(account);
    if (r.once) enrolling.insert(meta.lead_id());
  }
  // 3. The enrolments, in one script run.
  std::vector<EnrolWrite> writes;
  writes.reserve(enrolments.size());
  for (size_t w = 0; w < enrolments.size(); ++w) {
    writes.push_back({&enrolments[w], &requests[enrolment_of[w]].req});
  }
  const auto created = store_.EnrolMany(writes);
  for (size_t w = 0; w < enrolments.size(); ++w) {
    if (!created[w].ok()) {
      statuses[enrolment_of[w]] = created[w].status();
      continue;
    }
    if (*created[w]) {
      metrics_.Enrolled(enrolments[w].track_id);
      log::Info("enrolled",
                {{"lead_id", enrolments[w].lead_id}, {"track", enrolments[w].track_id}});
    }
    // Account development: the owner is told, on every delivery (a redelivery
    // repeats the notice under the same enrolment_id, never loses it).
    const auto& req = requests[enrolment_of[w]].req;
    auto notice = AccountDevelopmentNotice(*track_of[w], req, account_of[w],
                                           enrolments[w].account_key, enrolments[w].enrolment_id,
                                           now_ms);
    if (notice.has_value() && notices != nullptr) {
      kafka::OutgoingMessage m;
      m.topic = topics::kAccountsNotifications;
      m.key = notice->account_key();
      notice->SerializeToString(&m.payload);
      (*notices)[enrolment_of[w]].push_back(std::move(m));
      if (*created[w]) metrics_.AccountDevelopment(cv1::ReasonCode_Name(req.reason()));
    }
  }
  return statuses;
}

void NurtureEngine::FlagSingleContacts(const std::vector<kafka::ConsumedMessage>& batch,
                                       const std::vector<size_t>& index,
                                       const std::vector<EnrolRequest>& requests,
                                       std::vector<Status>& statuses,
                                       std::vector<std::vector<kafka::OutgoingMessage>>& notices) {
  if (single_contact_ == nullptr) return;
  std::vector<SingleContactFlags::Claim> claims;
  std::vector<size_t> claim_of;  // request index of each claim
  for (size_t k = 0; k < requests.size(); ++k) {
    if (!statuses[k].ok() || batch[index[k]].topic != topics::kAccountsInbound) continue;
    const auto& lead = requests[k].req.scored().lead();
    if (!IsSingleContactCustomer(lead)) continue;
    claims.push_back({SingleContactAccount(lead, requests[k].account_key), lead.meta().lead_id()});
    claim_of.push_back(k);
  }
  const auto claimed = single_contact_->ClaimMany(claims);
  for (size_t c = 0; c < claim_of.size() && c < claimed.size(); ++c) {
    const size_t k = claim_of[c];
    if (!claimed[c].status.ok()) {
      statuses[k] = claimed[c].status;  // retried: the enrolment is idempotent
      continue;
    }
    if (!claimed[c].tell) continue;  // told within the period already
    const auto notice = SingleContactNotice(requests[k].req.scored().lead(), claims[c].account_key,
                                            clock_.NowMillis());
    kafka::OutgoingMessage m;
    m.topic = topics::kAccountsNotifications;
    m.key = notice.account_key();
    notice.SerializeToString(&m.payload);
    notices[k].push_back(std::move(m));
    log::Info("single-contact customer account flagged to its owner",
              {{"lead_id", notice.lead_id()}, {"owner", notice.owner_rep_id()}});
  }
}

kafka::BatchHandler NurtureEngine::EnrolmentsHandler() {
  return
      [this](const std::vector<kafka::ConsumedMessage>& batch) { return HandleEnrolments(batch); };
}

}  // namespace leadflow::nurture
