#include "nurture/app/exit_event_handler.h"

#include "common/kafka/topics.h"
#include "nurture/app/account_notifications.h"
#include "nurture/domain/customer_response.h"
#include "nurture/domain/programme_schedule.h"

namespace leadflow::nurture {

namespace cv1 = leadflow::common::v1;
namespace nv1 = leadflow::nurture::v1;
namespace rv1 = leadflow::routing::v1;
namespace ev1 = leadflow::engagement::v1;

namespace {

int64_t TsMillis(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000 + ts.nanos() / 1000000;
}

// The owner's CUSTOMER_RESPONDED notification of `ev` from a customer account.
nv1::AccountNotification ResponseNotice(const ev1::EngagementEvent& ev, const std::string& contact,
                                        const leadflow::accounts::v1::AccountState& account,
                                        nv1::ResponseKind kind) {
  nv1::AccountNotification n;
  n.set_kind(nv1::CUSTOMER_RESPONDED);
  n.set_account_key(account.account_key());
  n.set_owner_rep_id(account.owner_rep_id());
  n.set_contact_id(contact);
  n.set_content_id(ev.content_id());
  if (auto parsed = ParseProgrammeLeadId(ev.lead_id())) n.set_programme_id(parsed->programme_id);
  auto* r = n.mutable_response();
  r->set_event_id(ev.event_id());
  r->set_kind(kind);
  r->set_engagement_type(ev.type());
  r->set_content_id(ev.content_id());
  r->set_lead_id(ev.lead_id());
  *r->mutable_occurred_at() = ev.occurred_at();
  *n.mutable_at() = ev.occurred_at();
  return n;
}

}  // namespace

Status ExitEventHandler::Handle(const kafka::ConsumedMessage& message,
                                std::vector<kafka::OutgoingMessage>& out) {
  if (message.topic == topics::kLeadsAssigned) return OnLeadAssigned(message);
  if (message.topic == topics::kSalesFeedback) return OnSalesFeedback(message);
  if (message.topic == topics::kEngagementEvents) return OnEngagement(message, out);
  return Status::InvalidArgument("nurture does not consume topic " + message.topic,
                                 cv1::UNKNOWN_SCHEMA);
}

Status ExitEventHandler::OnLeadAssigned(const kafka::ConsumedMessage& message) {
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
    auto c = store_.enrolments().EnrolmentsOfContact(lead.contact().contact_id());
    if (!c.ok()) return c.status();
    ids = *c;
  }
  auto l = store_.enrolments().EnrolmentsOfLead(lead.meta().lead_id());
  if (!l.ok()) return l.status();
  ids.insert(ids.end(), l->begin(), l->end());
  // An enrolment routing decided on after this assignment (a protected
  // rejection sent the lead back) is newer than it: keep it. Both times are
  // routing's.
  const int64_t assigned_ms = TsMillis(a.decision().decided_at());
  std::vector<std::string> older;
  for (const auto& id : ids) {
    auto req = store_.enrolments().GetRequest(id);
    if (!req.ok()) return req.status();
    if (assigned_ms > 0 && req->has_value() &&
        TsMillis((*req)->decision().decided_at()) > assigned_ms) {
      continue;
    }
    older.push_back(id);
  }
  return exits_.ExitAll(older, "mql_assigned");
}

Status ExitEventHandler::OnSalesFeedback(const kafka::ConsumedMessage& message) {
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
  auto ids = store_.enrolments().EnrolmentsOfLead(f.lead_id());
  if (!ids.ok()) return ids.status();
  return exits_.ExitAll(*ids, "sales_accepted");
}

Status ExitEventHandler::OnEngagement(const kafka::ConsumedMessage& message,
                                      std::vector<kafka::OutgoingMessage>& out) {
  ev1::EngagementEvent ev;
  if (!ev.ParseFromString(message.payload)) {
    return Status::InvalidArgument("engagement.events payload is not an EngagementEvent",
                                   cv1::MALFORMED_PAYLOAD);
  }
  if (ev.type() == ev1::ENGAGEMENT_TYPE_UNSPECIFIED) {
    return Status::InvalidArgument("engagement event without a type", cv1::MISSING_FIELD);
  }
  const std::string contact = ev.contact_id().empty() ? message.key : ev.contact_id();
  if (ev.type() == ev1::UNSUBSCRIBED || ev.type() == ev1::CONSENT_WITHDRAWN) {
    if (contact.empty()) {
      return Status::InvalidArgument("engagement event: contact_id required to unsubscribe",
                                     cv1::MISSING_FIELD);
    }
    auto n = exits_.Unsubscribe(
        contact, ev.type() == ev1::UNSUBSCRIBED ? "unsubscribed" : "consent_withdrawn");
    return n.ok() ? Status::Ok() : n.status();
  }
  if (ev.type() != ev1::REPLIED && ev.type() != ev1::MEETING_BOOKED) {
    return Status::Ok();  // opens, clicks, visits: scoring's business
  }
  // A customer's answer reaches the owner (before the exits, while the
  // contact's enrolments still name the account).
  if (Status st = NotifyResponse(ev, contact, out); !st.ok()) return st;
  const std::string reason = ev.type() == ev1::REPLIED ? "replied" : "meeting_booked";
  StatusOr<std::vector<std::string>> ids = std::vector<std::string>();
  if (!contact.empty()) {
    ids = store_.enrolments().EnrolmentsOfContact(contact);
  } else if (!ev.lead_id().empty()) {
    ids = store_.enrolments().EnrolmentsOfLead(ev.lead_id());
  }
  if (!ids.ok()) return ids.status();
  return exits_.ExitAll(*ids, reason);
}

StatusOr<std::string> ExitEventHandler::AccountOf(const ev1::EngagementEvent& ev,
                                                  const std::string& contact) {
  std::string account_key = ev.account_key();
  if (account_key.empty()) account_key = AccountOfRecipient(contact).value_or("");
  if (!account_key.empty() || contact.empty()) return account_key;
  auto ids = store_.enrolments().EnrolmentsOfContact(contact);
  if (!ids.ok()) return ids.status();
  for (const auto& id : *ids) {
    auto rec = store_.enrolments().Get(id);
    if (!rec.ok()) return rec.status();
    if (rec->has_value() && !(*rec)->account_key.empty()) return (*rec)->account_key;
  }
  return std::string();
}

Status ExitEventHandler::NotifyResponse(const ev1::EngagementEvent& ev, const std::string& contact,
                                        std::vector<kafka::OutgoingMessage>& out) {
  const nv1::ResponseKind kind = ResponseKindOf(*policy_, ev.type(), ev.content_id());
  if (kind == nv1::RESPONSE_KIND_UNSPECIFIED) return Status::Ok();
  auto account_key = AccountOf(ev, contact);
  if (!account_key.ok()) return account_key.status();
  if (account_key->empty()) return Status::Ok();  // nobody to tell
  auto acct = registry_.Get(*account_key);        // kUnavailable: retried, never guessed
  if (!acct.ok()) return acct.status();
  if (!acct->has_value() || (*acct)->relationship() != cv1::CUSTOMER) return Status::Ok();
  out.push_back(NotificationMessage(ResponseNotice(ev, contact, **acct, kind)));
  metrics_.ResponseNotified(nv1::ResponseKind_Name(kind));
  return Status::Ok();
}

}  // namespace leadflow::nurture
