#include "nurture/app/nurture_replies.h"

namespace leadflow::nurture {

namespace nv1 = leadflow::nurture::v1;

int64_t ToInt(const std::string& s) {
  try {
    return s.empty() ? 0 : std::stoll(s);
  } catch (...) {
    return 0;
  }
}

namespace {

// One field of an enrolment hash into `rec` (unknown fields are ignored).
void SetField(EnrolmentRecord& rec, const std::string& k, const std::string& v) {
  auto& e = rec.enrolment;
  if (k == "contact_id") {
    e.set_contact_id(v);
  } else if (k == "lead_id") {
    e.set_lead_id(v);
  } else if (k == "track_id") {
    e.set_track_id(v);
  } else if (k == "audience") {
    leadflow::common::v1::Relationship a;
    if (leadflow::common::v1::Relationship_Parse(v, &a)) e.set_audience(a);
  } else if (k == "account_key") {
    rec.account_key = v;
  } else if (k == "email") {
    rec.email = v;
  } else if (k == "trace_id") {
    rec.trace_id = v;
  } else if (k == "next_step") {
    e.set_next_step(static_cast<int32_t>(ToInt(v)));
  } else if (k == "next_due_ms") {
    rec.next_due_ms = ToInt(v);
  } else if (k == "enrolled_ms") {
    rec.enrolled_ms = ToInt(v);
  } else if (k == "state") {
    nv1::EnrolmentState st;
    if (nv1::EnrolmentState_Parse(v, &st)) e.set_state(st);
  } else if (k == "exit_reason") {
    e.set_exit_reason(v);
  }
}

}  // namespace

std::optional<EnrolmentRecord> ParseEnrolment(const std::string& enrolment_id,
                                              const redis::Reply& hash) {
  if (hash.elements.empty()) return std::nullopt;
  EnrolmentRecord rec;
  rec.enrolment.set_enrolment_id(enrolment_id);
  const auto& f = hash.elements;
  for (size_t i = 0; i + 1 < f.size(); i += 2) SetField(rec, f[i].str, f[i + 1].str);
  if (rec.next_due_ms > 0) {
    auto* due = rec.enrolment.mutable_next_due_at();
    due->set_seconds(rec.next_due_ms / 1000);
    due->set_nanos(static_cast<int32_t>(rec.next_due_ms % 1000) * 1000000);
  }
  return rec;
}

std::vector<StatusOr<bool>> ElementReplies(const StatusOr<redis::Reply>& reply, size_t size,
                                           std::string_view what) {
  Status shape = reply.ok() ? redis::ExpectArray(*reply, size, what) : reply.status();
  if (!shape.ok()) return AllFailed<bool>(size, shape);
  std::vector<StatusOr<bool>> out;
  out.reserve(size);
  for (const auto& e : reply->elements) {
    if (e.is_error()) {
      out.emplace_back(Status::Unavailable("redis " + std::string(what) + ": " + e.str));
    } else {
      out.emplace_back(e.integer == 1);
    }
  }
  return out;
}

StatusOr<bool> IntegerIsOne(const StatusOr<redis::Reply>& reply, std::string_view what) {
  if (!reply.ok()) return reply.status();
  auto n = redis::ExpectInteger(*reply, what);
  if (!n.ok()) return n.status();
  return *n == 1;
}

StatusOr<std::vector<std::string>> Strings(const StatusOr<redis::Reply>& reply,
                                           std::string_view what) {
  if (!reply.ok()) return reply.status();
  if (Status s = redis::ExpectArray(*reply, what); !s.ok()) return s;
  std::vector<std::string> out;
  out.reserve(reply->elements.size());
  for (const auto& e : reply->elements) out.push_back(e.str);
  return out;
}

}  // namespace leadflow::nurture
