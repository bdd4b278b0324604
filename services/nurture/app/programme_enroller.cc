#include "nurture/app/programme_enroller.h"

#include <map>

#include "common/log/log.h"
#include "nurture/domain/programme_schedule.h"
#include "nurture/domain/touch_plan.h"

namespace leadflow::nurture {

namespace cv1 = leadflow::common::v1;
namespace nv1 = leadflow::nurture::v1;

namespace {

// Probes the registry view's readiness: any lookup answers kUnavailable while
// the view is not known to be complete.
constexpr char kReadinessProbe[] = "~programme-readiness-probe";

}  // namespace

Status ProgrammeEnroller::RestoreProgrammeCycles() {
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

StatusOr<std::vector<leadflow::accounts::v1::AccountState>> ProgrammeEnroller::Customers() {
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
  return customers;
}

std::optional<EnrolRequest> ProgrammeEnroller::CycleRequest(
    const leadflow::config::v1::Programme& prog, const leadflow::config::v1::Track* track,
    const leadflow::accounts::v1::AccountState& acct, int64_t now_ms) {
  const ProgrammeCycle cycle = CurrentCycle(prog, acct.account_key(), now_ms);
  if (!cycle.enrollable) return std::nullopt;
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
  return r;
}

StatusOr<int> ProgrammeEnroller::EnrolProgrammes() {
  if (!enabled()) return 0;
  if (Status s = RestoreProgrammeCycles(); !s.ok()) return s;
  // The view must be complete before the base is read: an empty or partial
  // base is never taken for the real one.
  if (auto probe = registry_.Get(kReadinessProbe); !probe.ok()) return probe.status();
  auto customers = Customers();
  if (!customers.ok()) return customers.status();
  const int64_t now_ms = clock_.NowMillis();
  std::vector<EnrolRequest> requests;
  for (const auto& prog : policy_->config().programmes()) {
    const auto* track =
        policy_->FindTrack(ProgrammeTrackFor(prog, static_cast<int64_t>(customers->size())));
    if (track == nullptr || track->audience() != cv1::CUSTOMER) continue;  // validated at load
    for (const auto& acct : *customers) {
      if (auto r = CycleRequest(prog, track, acct, now_ms)) requests.push_back(std::move(*r));
    }
  }
  for (const Status& s : enrolment_.EnrolAll(requests)) {
    if (!s.ok()) return s;
  }
  return static_cast<int>(requests.size());
}

}  // namespace leadflow::nurture
