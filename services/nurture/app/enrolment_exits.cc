#include "nurture/app/enrolment_exits.h"

#include "common/log/log.h"
#include "nurture/domain/programme_schedule.h"

namespace leadflow::nurture {

namespace cv1 = leadflow::common::v1;

namespace {

std::string MigrationReason(cv1::Relationship now_is) {
  return now_is == cv1::CUSTOMER ? "became_customer" : "became_prospect";
}

}  // namespace

Status EnrolmentExits::Exit(const std::string& enrolment_id, const std::string& reason) {
  auto exited = store_.enrolments().Exit(enrolment_id, reason);
  if (!exited.ok()) return exited.status();
  if (*exited) metrics_.Exited(reason);
  return Status::Ok();
}

Status EnrolmentExits::ExitAll(const std::vector<std::string>& ids, const std::string& reason) {
  for (const auto& id : ids) {
    if (Status s = Exit(id, reason); !s.ok()) return s;
  }
  return Status::Ok();
}

StatusOr<int> EnrolmentExits::Unsubscribe(const std::string& contact_id,
                                          const std::string& reason) {
  auto n = store_.unsubscribes().Unsubscribe(contact_id, reason);
  if (!n.ok()) return n.status();
  for (int i = 0; i < *n; ++i) metrics_.Exited(reason);
  return *n;
}

Status EnrolmentExits::Migrate(const std::string& enrolment_id, cv1::Relationship now_is) {
  auto rec = store_.enrolments().Get(enrolment_id);
  if (!rec.ok()) return rec.status();
  if (!rec->has_value()) return Status::Ok();
  if (ParseProgrammeLeadId((*rec)->enrolment.lead_id())) {
    // A programme is for customers only: its enrolment ends, it never moves
    // to a prospect track.
    return Exit(enrolment_id, "no_longer_customer");
  }
  auto req = store_.enrolments().GetRequest(enrolment_id);
  if (!req.ok()) return req.status();
  auto exited = store_.enrolments().Exit(enrolment_id, MigrationReason(now_is));
  if (!exited.ok()) return exited.status();
  if (!*exited) return Status::Ok();  // someone else moved it already
  metrics_.Exited(MigrationReason(now_is));
  log::Info("relationship changed: moving to a track of the new audience",
            {{"lead_id", (*rec)->enrolment.lead_id()},
             {"from_track", (*rec)->enrolment.track_id()},
             {"now", cv1::Relationship_Name(now_is)}});
  if (!req->has_value()) return Status::Ok();
  Status s = enrolment_.EnrolIn(**req, now_is, (*rec)->account_key, "");
  if (s.code() == StatusCode::kInvalidArgument) {
    // Not a bad message: the configuration has no track for it. It has left
    // the old audience's track either way.
    log::Warn("no track of the new audience",
              {{"lead_id", (*rec)->enrolment.lead_id()}, {"detail", s.message()}});
    return Status::Ok();
  }
  return s;
}

}  // namespace leadflow::nurture
