#include "outcome.h"

#include <cmath>

#include "common/kafka/topics.h"
#include "leadflow/common/v1/dead_letter.pb.h"
#include "leadflow/nurture/v1/nurture.pb.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "leadflow/scoring/v1/scoring.pb.h"

namespace leadflow::cli {
namespace {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

// The non-empty parts joined with "; ", so an empty part leaves no dangling
// separator.
std::string JoinParts(std::initializer_list<std::string> parts) {
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += "; ";
    out += p;
  }
  return out;
}

std::string PathSummary(const rv1::Decision& d) {
  std::string out;
  for (const auto& step : d.path()) {
    if (!step.matched()) continue;
    if (!out.empty()) out += " > ";
    out += step.rule_id();
    if (!step.detail().empty()) out += " (" + step.detail() + ")";
  }
  return out;
}

// The reason code, then each field error ("email: not a valid ...", or just
// the message when no field is named), or else the detail; a detail that
// already names the reason stands alone.
std::string RejectionWhy(const leadflow::common::v1::LeadRejected& r) {
  const std::string reason = cv1::ReasonCode_Name(r.reason());
  if (r.errors().empty()) {
    if (r.detail().find(reason) != std::string::npos) return r.detail();
    return JoinParts({reason, r.detail()});
  }
  std::string why = reason;
  for (const auto& e : r.errors()) {
    why += "; " + (e.field_path().empty() ? e.message() : e.field_path() + ": " + e.message());
  }
  return why;
}

void FillFromScored(const leadflow::scoring::v1::LeadScored& s, OutcomeRow& row) {
  row.lead_id = s.lead().meta().lead_id();
  row.company = s.lead().company().name();
  row.relationship = cv1::Relationship_Name(s.lead().meta().relationship());
  row.segment = cv1::Segment_Name(s.segment());
  row.score = s.total_score();
}

}  // namespace

std::string ScoreText(double score) { return std::to_string(std::lround(score)); }

std::optional<OutcomeRow> DescribeOutput(const kafka::ConsumedMessage& m) {
  OutcomeRow row;
  row.topic = m.topic;
  if (m.topic == topics::kLeadsAssigned) {
    rv1::LeadAssigned a;
    if (!a.ParseFromString(m.payload)) return std::nullopt;
    FillFromScored(a.scored(), row);
    row.outcome = rv1::RoutingOutcome_Name(a.decision().outcome());
    row.who = a.decision().team() + (a.decision().rep_id().empty() ? "" : "/" + a.decision().rep_id());
    row.why = PathSummary(a.decision());
    return row;
  }
  if (m.topic == topics::kLeadsNurture) {
    rv1::NurtureRequested n;
    if (!n.ParseFromString(m.payload)) return std::nullopt;
    FillFromScored(n.scored(), row);
    row.outcome = "NURTURE";
    row.who = "marketing nurture";
    row.why = JoinParts(
        {"score " + ScoreText(n.scored().total_score()) + " below MQL",
         PathSummary(n.decision()),
         n.reason() != cv1::REASON_UNSPECIFIED ? cv1::ReasonCode_Name(n.reason()) : ""});
    return row;
  }
  if (m.topic == topics::kAccountsInbound) {
    rv1::CustomerInbound c;
    if (!c.ParseFromString(m.payload)) return std::nullopt;
    FillFromScored(c.scored(), row);
    row.outcome = "CUSTOMER_INBOUND";
    row.who = c.owner_team() + (c.account_owner().empty() ? "" : "/" + c.account_owner());
    row.why = PathSummary(c.decision());
    return row;
  }
  if (m.topic == topics::kLeadsRejected) {
    leadflow::common::v1::LeadRejected r;
    if (!r.ParseFromString(m.payload)) return std::nullopt;
    row.lead_id = r.meta().lead_id();
    row.outcome = r.disqualified() ? "DISQUALIFIED" : "REJECTED";
    row.who = leadflow::common::v1::Stage_Name(r.stage());
    row.why = RejectionWhy(r);
    if (r.meta().relationship() != cv1::RELATIONSHIP_UNSPECIFIED) {
      row.relationship = cv1::Relationship_Name(r.meta().relationship());
    }
    // A lead disqualified by screening was scored all the same (the score
    // explains itself, docs/domain-rules.md §4); routing dead-letters it with
    // its leads.scored record as the original, which names the company and
    // holds the score. A lead rejected earlier has neither.
    leadflow::scoring::v1::LeadScored scored;
    if (r.disqualified() && r.stage() == leadflow::common::v1::ROUTING &&
        !r.original_truncated() && scored.ParseFromString(r.original())) {
      FillFromScored(scored, row);
    }
    return row;
  }
  if (m.topic == topics::kNurtureTouches) {
    leadflow::nurture::v1::Touch t;
    if (!t.ParseFromString(m.payload)) return std::nullopt;
    row.lead_id = t.lead_id();
    row.outcome = "TOUCH";
    row.who = t.track_id() + " step " + std::to_string(t.step());
    row.why = t.content_id() + " via " + cv1::Channel_Name(t.channel()) + " to " +
              cv1::Relationship_Name(t.audience());
    row.final = false;
    return row;
  }
  return std::nullopt;
}

std::optional<NotificationRow> DescribeNotification(const std::string& payload) {
  namespace nv1 = leadflow::nurture::v1;
  nv1::AccountNotification n;
  if (!n.ParseFromString(payload)) return std::nullopt;
  NotificationRow row;
  const nv1::NotificationKind kind =
      n.kind() == nv1::NOTIFICATION_KIND_UNSPECIFIED ? nv1::TOUCH_SENT : n.kind();
  row.kind = nv1::NotificationKind_Name(kind);
  row.account_key = n.account_key();
  row.owner = n.owner_rep_id().empty() ? "(no owner)" : n.owner_rep_id();
  switch (kind) {
    case nv1::CUSTOMER_RESPONDED:
      row.what = nv1::ResponseKind_Name(n.response().kind()) +
                 (n.response().content_id().empty() ? "" : " to " + n.response().content_id());
      break;
    case nv1::ACCOUNT_DEVELOPMENT:
      row.what = "lead " + n.lead_id() + " rejected by " + n.rejected_by_rep_id() + " as " +
                 cv1::ReasonCode_Name(n.rejection_reason()) + ": track " + n.track_id();
      break;
    default:
      row.what = "sent " + n.content_id() + " via " + cv1::Channel_Name(n.channel()) +
                 " (track " + n.track_id() + ")";
      break;
  }
  if (!n.programme_id().empty()) row.what += ", programme " + n.programme_id();
  return row;
}

std::string FitColumn(const std::string& text, size_t width) {
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < text.size() && chars < width;) {
    size_t len = 1;
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead >= 0xF0) {
      len = 4;
    } else if (lead >= 0xE0) {
      len = 3;
    } else if (lead >= 0xC0) {
      len = 2;
    }
    if (i + len > text.size()) break;  // a truncated sequence at the end is dropped
    out.append(text, i, len);
    i += len;
    ++chars;
  }
  out.append(width - chars, ' ');
  return out;
}

}  // namespace leadflow::cli
