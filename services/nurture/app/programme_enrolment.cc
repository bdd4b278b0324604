// NurtureEngine's proactive customer programmes and the account owner's
// half of the conversation (see nurture_engine.h): EnrolProgrammes enrols the
// registry's CUSTOMER accounts on the programmes' schedule
// (nurture/domain/programme_schedule.h); NotifyResponse tells the owner what
// a customer sent back.
#include "common/kafka/topics.h"
#include "common/log/log.h"
#include "nurture/app/nurture_engine.h"
#include "nurture/domain/customer_response.h"
#include "nurture/domain/programme_schedule.h"
#include "nurture/domain/touch_plan.h"

namespace leadflow::nurture {

namespace cv1 = leadflow::common::v1;
namespace nv1 = leadflow::nurture::v1;
namespace rv1 = leadflow::routing::v1;
namespace ev1 = leadflow::engagement::v1;

namespace {

// Probes the registry view's readiness: any lookup answers kUnavailable while
// the view is not known to be complete.
constexpr char kReadinessProbe[] = "~programme-readiness-probe";

}  // namespace

Status NurtureEngine::RestoreProgrammeCycles() {
  auto complete = programmes_->CyclesComplete();
  if (!complete.ok()) return complete.status();
  if (*complete) return Status::Ok();
  std::map<std::string, std::string> enrolled;  // enrolment id -> programme lead id
  if (scan_) {
    Status s = scan_([&](const kafka::ConsumedMessage& m) {
      nv1::Touch t;
      if (!t.ParseFromString(m.payload) || t.programme_id().empty()) return;
      if (!ParseProgrammeLeadId(t.lead_id())) return;
      auto parsed = ParseTouchId(t.touch_id());
      if (parsed) enrolled.emplace(parsed->enrolment_id, t.lead_id());
    });
    if (!s.ok()) return s;
  } else {
    log::Warn("no touch log to restore programme cycles from: due cycles enrol again");
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  pairs.reserve(enrolled.size());
  for (const auto& [enrolment, lead] : enrolled) pairs.emplace_back(lead, enrolment);
  if (Status s = programmes_->RestoreCycles(pairs); !s.ok()) return s;
  log::Info("programme cycles restored from nurture.touches",
            {{"enrolments", std::to_string(pairs.size())}});
  return Status::Ok();
}

StatusOr<int> NurtureEngine::EnrolProgrammes() {
  if (programmes_ == nullptr || policy_->config().programmes().empty()) return 0;
  if (Status s = RestoreProgrammeCycles(); !s.ok()) return s;
  // The view must be complete before the base is read: an empty or partial
  // base is never taken for the real one.
  if (auto probe = registry_.Get(kReadinessProbe); !probe.ok()) return probe.status();
  auto keys = programmes_->CustomerAccounts();
  if (!keys.ok()) return keys.status();
  // The wall: each account must be a CUSTOMER in the view now.
  std::vector<leadflow::accounts::v1::AccountState> customers;
  for (const auto& key : *keys) {
    auto acct = registry_.Get(key);
    if (!acct.ok()) return acct.status();
    if (!acct->has_value() || (*acct)->relationship() != cv1::CUSTOMER) continue;
    // An account keyed by a person's email (a free-mail customer) is not
    // enrolled: the cycle's lead index and the recipient's contact index would
    // name the person for a sales cycle (docs/state.md).
    if ((*acct)->account_key().find('@') != std::string::npos) continue;
    customers.push_back(std::move(**acct));
  }
  const int64_t now_ms = clock_.NowMillis();
  std::vector<EnrolRequest> requests;
  for (const auto& prog : policy_->config().programmes()) {
    const auto* track =
        policy_->FindTrack(ProgrammeTrackFor(prog, static_cast<int64_t>(customers.size())));
    if (track == nullptr || track->audience() != cv1::CUSTOMER) continue;  // validated at load
    for (const auto& acct : customers) {
      const ProgrammeCycle cycle = CurrentCycle(prog, acct.account_key(), now_ms);
      if (!cycle.enrollable) continue;
      EnrolRequest r;
      auto* lead = r.req.mutable_scored()->mutable_lead();
      lead->mutable_meta()->set_lead_id(
          ProgrammeLeadId(prog.programme_id(), cycle.index, acct.account_key()));
      lead->mutable_meta()->set_account_key(acct.account_key());
      lead->mutable_meta()->set_relationship(cv1::CUSTOMER);
      lead->mutable_contact()->set_contact_id(ProgrammeRecipientId(acct.account_key()));
      r.audience = cv1::CUSTOMER;
      r.account_key = acct.account_key();
      r.once = true;  // one enrolment per account and cycle
      r.track = track;
      requests.push_back(std::move(r));
    }
  }
  for (const Status& s : EnrolAll(requests)) {
    if (!s.ok()) return s;
  }
  return static_cast<int>(requests.size());
}

Status NurtureEngine::NotifyResponse(const ev1::EngagementEvent& ev, const std::string& contact,
                                     std::vector<kafka::OutgoingMessage>& out) {
  const nv1::ResponseKind kind = ResponseKindOf(*policy_, ev.type(), ev.content_id());
  if (kind == nv1::RESPONSE_KIND_UNSPECIFIED) return Status::Ok();
  // Whose account: the event's, else the programme recipient's, else the
  // account of one of the contact's active enrolments.
  std::string account_key = ev.account_key();
  if (account_key.empty()) account_key = AccountOfRecipient(contact).value_or("");
  if (account_key.empty() && !contact.empty()) {
    auto ids = store_.EnrolmentsOfContact(contact);
    if (!ids.ok()) return ids.status();
    for (const auto& id : *ids) {
      auto rec = store_.Get(id);
      if (!rec.ok()) return rec.status();
      if (rec->has_value() && !(*rec)->account_key.empty()) {
        account_key = (*rec)->account_key;
        break;
      }
    }
  }
  if (account_key.empty()) return Status::Ok();  // nobody to tell
  auto acct = registry_.Get(account_key);        // kUnavailable: retried, never guessed
  if (!acct.ok()) return acct.status();
  if (!acct->has_value() || (*acct)->relationship() != cv1::CUSTOMER) return Status::Ok();
  nv1::AccountNotification n;
  n.set_kind(nv1::CUSTOMER_RESPONDED);
  n.set_account_key((*acct)->account_key());
  n.set_owner_rep_id((*acct)->owner_rep_id());
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
  kafka::OutgoingMessage m;
  m.topic = topics::kAccountsNotifications;
  m.key = n.account_key();
  n.SerializeToString(&m.payload);
  out.push_back(std::move(m));
  metrics_.ResponseNotified(nv1::ResponseKind_Name(kind));
  return Status::Ok();
}

}  // namespace leadflow::nurture
