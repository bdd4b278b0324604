#include "nurture/app/enrolment_handler.h"

#include "common/kafka/dead_letter.h"
#include "common/kafka/topics.h"
#include "common/log/log.h"
#include "nurture/app/account_notifications.h"
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

// A leads.nurture or accounts.inbound payload as a NurtureRequested.
Status ParseRequest(const kafka::ConsumedMessage& message, bool customer,
                    rv1::NurtureRequested& req) {
  if (!customer) {
    if (req.ParseFromString(message.payload)) return Status::Ok();
    return Status::InvalidArgument("leads.nurture payload is not a NurtureRequested",
                                   cv1::MALFORMED_PAYLOAD);
  }
  rv1::CustomerInbound in;
  if (!in.ParseFromString(message.payload)) {
    return Status::InvalidArgument("accounts.inbound payload is not a CustomerInbound",
                                   cv1::MALFORMED_PAYLOAD);
  }
  *req.mutable_scored() = std::move(*in.mutable_scored());
  *req.mutable_decision() = std::move(*in.mutable_decision());
  return Status::Ok();
}

// What selects the lead's track.
TrackQuery QueryFor(const EnrolRequest& r, cv1::Relationship audience) {
  const auto& lead = r.req.scored().lead();
  TrackQuery q;
  q.audience = audience;
  q.segment = r.req.scored().segment();
  q.buyer_class = lead.contact().buyer_class();
  q.decision_role = lead.contact().decision_role();
  q.intent = lead.intent();             // opens an opt-in track the contact asked for
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
  return q;
}

// The enrolment of the request's lead in `track`, its first touch planned from `now_ms`.
NewEnrolment EnrolmentIn(const NurturePolicy& policy, const EnrolRequest& r,
                         const leadflow::config::v1::Track& track, int64_t now_ms) {
  const auto& lead = r.req.scored().lead();
  NewEnrolment e;
  e.enrolment_id = EnrolmentId(lead.meta().lead_id(), track.track_id()) + r.suffix;
  e.contact_id = lead.contact().contact_id();
  e.lead_id = lead.meta().lead_id();
  e.track_id = track.track_id();
  e.audience = track.audience();
  e.account_key = r.account_key;
  e.email = lead.contact().email();
  e.trace_id = lead.meta().trace_id();
  e.enrolled_ms = now_ms;
  const auto plan = PlanTouches(policy, track, e.enrolment_id, now_ms);
  e.first_touch_id = plan.front().touch_id;  // validated: every track has steps
  e.first_due_ms = plan.front().due_ms;
  return e;
}

}  // namespace

bool EnrolmentHandler::Decode(const kafka::ConsumedMessage& message, kafka::HandledMessage& result,
                              EnrolRequest& request) {
  const bool customer = message.topic == topics::kAccountsInbound;
  rv1::NurtureRequested& req = request.req;
  result.status = ParseRequest(message, customer, req);
  if (result.status.ok()) result.status = ValidateRequest(req);
  if (!result.status.ok()) return false;
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
        message, leadflow::common::v1::NURTURE, cv1::AUDIENCE_MISMATCH,
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

std::vector<kafka::HandledMessage> EnrolmentHandler::HandleBatch(
    const std::vector<kafka::ConsumedMessage>& batch) {
  std::vector<kafka::HandledMessage> results(batch.size());
  std::vector<EnrolRequest> requests;
  std::vector<size_t> index;  // batch index of each request
  requests.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    EnrolRequest r;
    if (!Decode(batch[i], results[i], r)) continue;
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

Status EnrolmentHandler::EnrolIn(const rv1::NurtureRequested& req, cv1::Relationship audience,
                                 const std::string& account_key, const std::string& suffix) {
  EnrolRequest r;
  r.req = req;
  r.audience = audience;
  r.account_key = account_key;
  r.suffix = suffix;
  return EnrolAll({r}).front();
}

std::vector<Status> EnrolmentHandler::EnrolAll(
    const std::vector<EnrolRequest>& requests,
    std::vector<std::vector<kafka::OutgoingMessage>>* notices) {
  std::vector<Status> statuses(requests.size());
  if (requests.empty()) return statuses;
  // The batch's reads: the registry view of each contact whose audience is
  // not known yet, and each lead's enrolment checks.
  std::vector<registry::AccountRegistry::ContactKeys> lookups;
  std::vector<EnrolCheckQuery> queries;
  for (const auto& r : requests) {
    const auto& lead = r.req.scored().lead();
    if (!r.audience.has_value()) {
      lookups.push_back({lead.contact().email(), lead.company().domain(), lead.company().inn()});
    }
    queries.push_back(
        {r.once ? lead.meta().lead_id() : "", lead.contact().contact_id(), lead.contact().email()});
  }
  const auto accounts = registry_.LookupMany(lookups);
  const auto checks = store_.enrolments().EnrolChecksMany(queries);
  // Each lead's rule, in batch order.
  std::vector<Planned> planned;
  std::set<std::string> enrolling;  // leads enrolled earlier in this batch
  const int64_t now_ms = clock_.NowMillis();
  size_t lookup = 0;
  for (size_t k = 0; k < requests.size(); ++k) {
    LeadFacts facts{requests[k].audience.has_value() ? nullptr : &accounts[lookup++], &checks[k]};
    auto p = Decide(requests[k], facts, enrolling, now_ms);
    if (!p.ok()) {
      statuses[k] = p.status();
    } else if (p->has_value()) {
      (*p)->request = k;
      planned.push_back(std::move(**p));
    }
  }
  WriteAll(requests, planned, statuses, notices, now_ms);
  return statuses;
}

StatusOr<std::optional<EnrolmentHandler::Planned>> EnrolmentHandler::Decide(
    const EnrolRequest& r, const LeadFacts& facts, std::set<std::string>& enrolling,
    int64_t now_ms) {
  const auto& meta = r.req.scored().lead().meta();
  // Nurture's own, current registry view decides the audience: a prospect
  // whose account has just become a customer goes to a customer track, never
  // a prospect one.
  Planned p;
  cv1::Relationship audience = cv1::PROSPECT;
  if (r.audience.has_value()) {
    audience = *r.audience;
  } else {
    if (!facts.account->ok()) return facts.account->status();
    if ((*facts.account)->has_value()) p.account = &***facts.account;
    if (p.account != nullptr && p.account->relationship() == cv1::CUSTOMER) {
      audience = cv1::CUSTOMER;
    }
  }
  if (!facts.checks->ok()) return facts.checks->status();
  const EnrolChecks& checks = **facts.checks;
  if (r.once && (!checks.lead_enrolments.empty() || enrolling.count(meta.lead_id()) > 0)) {
    return std::optional<Planned>();  // enrols once (redelivery, rescore, re-routing)
  }
  if (checks.unsubscribed) {
    log::Info("not enrolled: contact unsubscribed", {{"lead_id", meta.lead_id()}});
    return std::optional<Planned>();
  }
  p.track = r.track != nullptr ? r.track : policy_->SelectTrack(QueryFor(r, audience));
  if (p.track != nullptr && p.track->audience() != audience) {
    // Never across the wall (programme tracks are validated CUSTOMER).
    return Status::Internal("a " + cv1::Relationship_Name(p.track->audience()) + " track for a " +
                            cv1::Relationship_Name(audience));
  }
  if (p.track == nullptr) {
    return Status::InvalidArgument(
        "no " + cv1::Relationship_Name(audience) + " nurture track matches this lead",
        cv1::INVALID_FIELD);
  }
  p.enrolment = EnrolmentIn(*policy_, r, *p.track, now_ms);
  if (r.once) enrolling.insert(meta.lead_id());
  return std::optional<Planned>(std::move(p));
}

void EnrolmentHandler::WriteAll(const std::vector<EnrolRequest>& requests,
                                const std::vector<Planned>& planned, std::vector<Status>& statuses,
                                std::vector<std::vector<kafka::OutgoingMessage>>* notices,
                                int64_t now_ms) {
  std::vector<EnrolWrite> writes;
  writes.reserve(planned.size());
  for (const auto& p : planned) writes.push_back({&p.enrolment, &requests[p.request].req});
  const auto created = store_.enrolments().EnrolMany(writes);
  for (size_t w = 0; w < planned.size(); ++w) {
    const Planned& p = planned[w];
    if (!created[w].ok()) {
      statuses[p.request] = created[w].status();
      continue;
    }
    if (*created[w]) {
      metrics_.Enrolled(p.enrolment.track_id);
      log::Info("enrolled", {{"lead_id", p.enrolment.lead_id}, {"track", p.enrolment.track_id}});
    }
    // Account development: the owner is told, on every delivery (a redelivery
    // repeats the notice under the same enrolment_id, never loses it).
    const auto& req = requests[p.request].req;
    auto notice = AccountDevelopmentNotice(*p.track, req, p.account, p.enrolment.account_key,
                                           p.enrolment.enrolment_id, now_ms);
    if (notice.has_value() && notices != nullptr) {
      (*notices)[p.request].push_back(NotificationMessage(*notice));
      if (*created[w]) metrics_.AccountDevelopment(cv1::ReasonCode_Name(req.reason()));
    }
  }
}

void EnrolmentHandler::FlagSingleContacts(
    const std::vector<kafka::ConsumedMessage>& batch, const std::vector<size_t>& index,
    const std::vector<EnrolRequest>& requests, std::vector<Status>& statuses,
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
    notices[k].push_back(NotificationMessage(notice));
    log::Info("single-contact customer account flagged to its owner",
              {{"lead_id", notice.lead_id()}, {"owner", notice.owner_rep_id()}});
  }
}

}  // namespace leadflow::nurture
