#include "nurture/app/nurture_engine.h"

#include <thread>

#include "common/kafka/dead_letter.h"
#include "common/kafka/topics.h"
#include "common/log/log.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "nurture/domain/audience_guard.h"
#include "nurture/domain/programme_schedule.h"
#include "nurture/domain/send_window.h"
#include "nurture/domain/touch_plan.h"

namespace leadflow::nurture {

namespace cv1 = leadflow::common::v1;
namespace nv1 = leadflow::nurture::v1;
namespace rv1 = leadflow::routing::v1;
namespace ev1 = leadflow::engagement::v1;

namespace {

int64_t TsMillis(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000 + ts.nanos() / 1000000;
}

std::string MigrationReason(cv1::Relationship now_is) {
  return now_is == cv1::CUSTOMER ? "became_customer" : "became_prospect";
}

}  // namespace

NurtureEngine::NurtureEngine(std::shared_ptr<const NurturePolicy> policy, NurtureStore& store,
                             registry::AccountRegistry& registry, kafka::Producer& producer,
                             NurtureMetrics& metrics, const Clock& clock, TouchLogScan scan)
    : policy_(std::move(policy)),
      store_(store),
      registry_(registry),
      producer_(producer),
      metrics_(metrics),
      clock_(clock),
      scan_(std::move(scan)) {}

kafka::MessageHandler NurtureEngine::Handler() {
  return [this](const kafka::ConsumedMessage& m, std::vector<kafka::OutgoingMessage>& out) {
    if (m.topic == topics::kAccountsInbound) return HandleCustomerInbound(m, out);
    return HandleNurtureRequest(m, out);
  };
}

view::ApplyFn NurtureEngine::AccountChangesApplier() {
  return [this](const std::string& epoch, const kafka::ConsumedMessage& m) {
    return HandleAccountChange(epoch, m);
  };
}

kafka::MessageHandler NurtureEngine::ExitsHandler() {
  return [this](const kafka::ConsumedMessage& m, std::vector<kafka::OutgoingMessage>& out) {
    return HandleExitEvent(m, out);
  };
}

StatusOr<cv1::Relationship> NurtureEngine::AppliedRelationship(const rv1::NurtureRequested& req) {
  const auto& lead = req.scored().lead();
  auto acct = std::move(registry_.LookupManyAsApplied(
      {{lead.contact().email(), lead.company().domain(), lead.company().inn()}}).front());
  if (!acct.ok()) return acct.status();
  if (acct->has_value() && (*acct)->relationship() == cv1::CUSTOMER) return cv1::CUSTOMER;
  return cv1::PROSPECT;
}

Status NurtureEngine::EnrolIn(const rv1::NurtureRequested& req, cv1::Relationship audience,
                              const std::string& account_key, const std::string& suffix) {
  EnrolRequest r;
  r.req = req;
  r.audience = audience;
  r.account_key = account_key;
  r.suffix = suffix;
  return EnrolAll({r}).front();
}

Status NurtureEngine::HandleNurtureRequest(const kafka::ConsumedMessage& message,
                                           std::vector<kafka::OutgoingMessage>& out) {
  auto results = HandleEnrolments({message});
  for (auto& m : results.front().out) out.push_back(std::move(m));
  return results.front().status;
}

Status NurtureEngine::HandleCustomerInbound(const kafka::ConsumedMessage& message,
                                            std::vector<kafka::OutgoingMessage>& out) {
  return HandleNurtureRequest(message, out);  // HandleEnrolments tells them by topic
}

Status NurtureEngine::Migrate(const std::string& enrolment_id, cv1::Relationship now_is) {
  auto rec = store_.Get(enrolment_id);
  if (!rec.ok()) return rec.status();
  if (!rec->has_value()) return Status::Ok();
  if (ParseProgrammeLeadId((*rec)->enrolment.lead_id())) {
    // A programme is for customers only: its enrolment ends, it never moves
    // to a prospect track.
    return ExitEnrolment(enrolment_id, "no_longer_customer");
  }
  auto req = store_.GetRequest(enrolment_id);
  if (!req.ok()) return req.status();
  auto exited = store_.Exit(enrolment_id, MigrationReason(now_is));
  if (!exited.ok()) return exited.status();
  if (!*exited) return Status::Ok();  // someone else moved it already
  metrics_.Exited(MigrationReason(now_is));
  log::Info("relationship changed: moving to a track of the new audience",
            {{"lead_id", (*rec)->enrolment.lead_id()},
             {"from_track", (*rec)->enrolment.track_id()},
             {"now", cv1::Relationship_Name(now_is)}});
  if (!req->has_value()) return Status::Ok();
  Status s = EnrolIn(**req, now_is, (*rec)->account_key, "");
  if (s.code() == StatusCode::kInvalidArgument) {
    // Not a bad message: the configuration has no track for it. It has left
    // the old audience's track either way.
    log::Warn("no track of the new audience", {{"lead_id", (*rec)->enrolment.lead_id()},
                                                {"detail", s.message()}});
    return Status::Ok();
  }
  return s;
}

Status NurtureEngine::HandleAccountChange(const std::string& epoch,
                                          const kafka::ConsumedMessage& message) {
  if (Status s = registry_.Apply(epoch, message); !s.ok()) return s;
  leadflow::accounts::v1::AccountState acct;
  if (message.payload.empty() || !acct.ParseFromString(message.payload) || acct.deleted()) {
    // A removal leaves the programme base; the send-time check handles the rest.
    if (programmes_ != nullptr) {
      if (Status s = programmes_->SetCustomerAccount(message.key, false); !s.ok()) return s;
      if (Status s = programmes_->SetCustomerAccount(acct.account_key(), false); !s.ok()) return s;
    }
    return Status::Ok();
  }
  const cv1::Relationship now_is =
      acct.relationship() == cv1::CUSTOMER ? cv1::CUSTOMER : cv1::PROSPECT;
  if (programmes_ != nullptr) {  // the programme base: the registry's customers
    const std::string& key = acct.account_key().empty() ? message.key : acct.account_key();
    if (Status s = programmes_->SetCustomerAccount(key, now_is == cv1::CUSTOMER); !s.ok()) {
      return s;
    }
  }
  std::set<std::string> keys = {acct.account_key(), message.key};
  if (!acct.inn().empty()) keys.insert(acct.inn());
  for (const auto& d : acct.domains()) keys.insert(d);
  for (const auto& key : keys) {
    if (key.empty()) continue;
    auto ids = store_.EnrolmentsOfAccount(key);
    if (!ids.ok()) return ids.status();
    for (const auto& id : *ids) {
      auto rec = store_.Get(id);
      if (!rec.ok()) return rec.status();
      if (!rec->has_value()) continue;
      const auto& e = (*rec)->enrolment;
      if (e.state() != nv1::ACTIVE_ENROLMENT || e.audience() == now_is) continue;
      // Only if this contact really belongs to the changed account now.
      auto req = store_.GetRequest(id);
      if (!req.ok()) return req.status();
      if (!req->has_value()) continue;
      auto current = AppliedRelationship(**req);
      if (!current.ok()) return current.status();
      if (*current == e.audience()) continue;
      if (Status s = Migrate(id, *current); !s.ok()) return s;
    }
  }
  return Status::Ok();
}

Status NurtureEngine::ExitEnrolment(const std::string& enrolment_id, const std::string& reason) {
  auto exited = store_.Exit(enrolment_id, reason);
  if (!exited.ok()) return exited.status();
  if (*exited) metrics_.Exited(reason);
  return Status::Ok();
}

Status NurtureEngine::ExitAll(const std::vector<std::string>& ids, const std::string& reason) {
  for (const auto& id : ids) {
    if (Status s = ExitEnrolment(id, reason); !s.ok()) return s;
  }
  return Status::Ok();
}

StatusOr<int> NurtureEngine::Unsubscribe(const std::string& contact_id, const std::string& reason) {
  auto n = store_.Unsubscribe(contact_id, reason);
  if (!n.ok()) return n.status();
  for (int i = 0; i < *n; ++i) metrics_.Exited(reason);
  return *n;
}

Status NurtureEngine::HandleExitEvent(const kafka::ConsumedMessage& message,
                                      std::vector<kafka::OutgoingMessage>& out) {
  if (message.topic == topics::kLeadsAssigned) {
    rv1::LeadAssigned a;
    if (!a.ParseFromString(message.payload)) {
      return Status::InvalidArgument("leads.assigned payload is not a LeadAssigned",
                                     cv1::MALFORMED_PAYLOAD);
    }
    const auto& lead = a.scored().lead();
    if (lead.meta().lead_id().empty()) {
      return Status::InvalidArgument("leads.assigned record without scored.lead.meta.lead_id",
                                     cv1::MISSING_FIELD);
    }
    // Handed to sales: the contact leaves every nurture track.
    std::vector<std::string> ids;
    if (!lead.contact().contact_id().empty()) {
      auto c = store_.EnrolmentsOfContact(lead.contact().contact_id());
      if (!c.ok()) return c.status();
      ids = *c;
    }
    auto l = store_.EnrolmentsOfLead(lead.meta().lead_id());
    if (!l.ok()) return l.status();
    ids.insert(ids.end(), l->begin(), l->end());
    // An enrolment routing decided on after this assignment (a protected
    // rejection sent the lead back) is newer than it: keep it. Both times are
    // routing's.
    const int64_t assigned_ms = TsMillis(a.decision().decided_at());
    std::vector<std::string> older;
    for (const auto& id : ids) {
      auto req = store_.GetRequest(id);
      if (!req.ok()) return req.status();
      if (assigned_ms > 0 && req->has_value() &&
          TsMillis((*req)->decision().decided_at()) > assigned_ms) {
        continue;
      }
      older.push_back(id);
    }
    return ExitAll(older, "mql_assigned");
  }
  if (message.topic == topics::kSalesFeedback) {
    rv1::SalesFeedback f;
    if (!f.ParseFromString(message.payload)) {
      return Status::InvalidArgument("sales.feedback payload is not a SalesFeedback",
                                     cv1::MALFORMED_PAYLOAD);
    }
    if (f.lead_id().empty() || f.kind() == rv1::FEEDBACK_KIND_UNSPECIFIED) {
      return Status::InvalidArgument("sales.feedback record without lead_id or kind",
                                     cv1::MISSING_FIELD);
    }
    // A rejection with a protected reason comes back from routing on
    // leads.nurture; only an acceptance ends nurture here.
    if (f.kind() != rv1::ACCEPT) return Status::Ok();
    auto ids = store_.EnrolmentsOfLead(f.lead_id());
    if (!ids.ok()) return ids.status();
    return ExitAll(*ids, "sales_accepted");
  }
  if (message.topic == topics::kEngagementEvents) {
    ev1::EngagementEvent ev;
    if (!ev.ParseFromString(message.payload)) {
      return Status::InvalidArgument("engagement.events payload is not an EngagementEvent",
                                     cv1::MALFORMED_PAYLOAD);
    }
    if (ev.type() == ev1::ENGAGEMENT_TYPE_UNSPECIFIED) {
      return Status::InvalidArgument("engagement event without a type", cv1::MISSING_FIELD);
    }
    const std::string contact = ev.contact_id().empty() ? message.key : ev.contact_id();
    std::string reason;
    switch (ev.type()) {
      case ev1::REPLIED:
      case ev1::MEETING_BOOKED:
        // A customer's answer reaches the owner (before the exits, while the
        // contact's enrolments still name the account).
        if (Status st = NotifyResponse(ev, contact, out); !st.ok()) return st;
        reason = ev.type() == ev1::REPLIED ? "replied" : "meeting_booked";
        break;
      case ev1::UNSUBSCRIBED:
      case ev1::CONSENT_WITHDRAWN: {
        if (contact.empty()) {
          return Status::InvalidArgument("engagement event: contact_id required to unsubscribe",
                                         cv1::MISSING_FIELD);
        }
        auto n = Unsubscribe(contact, ev.type() == ev1::UNSUBSCRIBED ? "unsubscribed"
                                                                     : "consent_withdrawn");
        return n.ok() ? Status::Ok() : n.status();
      }
      default:
        return Status::Ok();  // opens, clicks, visits: scoring's business
    }
    std::vector<std::string> ids;
    if (!contact.empty()) {
      auto c = store_.EnrolmentsOfContact(contact);
      if (!c.ok()) return c.status();
      ids = *c;
    } else if (!ev.lead_id().empty()) {
      auto l = store_.EnrolmentsOfLead(ev.lead_id());
      if (!l.ok()) return l.status();
      ids = *l;
    }
    return ExitAll(ids, reason);
  }
  return Status::InvalidArgument("nurture does not consume topic " + message.topic,
                                 cv1::UNKNOWN_SCHEMA);
}

}  // namespace leadflow::nurture
