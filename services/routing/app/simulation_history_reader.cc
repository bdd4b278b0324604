#include "routing/app/simulation_history_reader.h"

#include <map>

#include "common/kafka/topic_scan.h"
#include "common/kafka/topics.h"
#include "leadflow/common/v1/dead_letter.pb.h"

namespace leadflow::routing {
namespace {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

// routing's header on the feedback it applied (routing/app/feedback_processor.h).
constexpr char kOriginHeader[] = "leadflow-origin";

int64_t MillisOf(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000 + t.nanos() / 1000000;
}

void AddDecision(const leadflow::scoring::v1::LeadScored& scored, const rv1::Decision& d,
                 const google::protobuf::RepeatedPtrField<std::string>* previous,
                 int64_t sla_due_ms, SimulationHistory& h, std::set<std::string>& seen) {
  HistoryDecision hd;
  hd.at_ms = MillisOf(d.decided_at());
  hd.lead_id = scored.lead().meta().lead_id();
  hd.revision = scored.revision();
  hd.source = SourceOf(d);
  hd.decision = d;
  if (previous != nullptr) hd.previous_reps.assign(previous->begin(), previous->end());
  hd.sla_due_ms = sla_due_ms;
  // A redelivered lead re-emits its recorded decision: count it once.
  const std::string key = hd.lead_id + "|" + std::to_string(hd.at_ms) + "|" +
                          std::to_string(d.outcome()) + "|" + d.rep_id();
  if (!seen.insert(key).second) return;
  h.decisions.push_back(std::move(hd));
}

}  // namespace

const std::vector<std::string>& SimulationTopics() {
  static const std::vector<std::string> topics = {
      topics::kLeadsScored,     topics::kSalesFeedback, topics::kRepsAvailability,
      topics::kRepsOutOfOffice, topics::kLeadsAssigned, topics::kLeadsNurture,
      topics::kAccountsInbound, topics::kLeadsRejected};
  return topics;
}

namespace {

// One reader per topic: false for a record it could not parse.
using RecordReader = bool (*)(const kafka::ConsumedMessage& m, SimulationHistory& h,
                              std::set<std::string>& seen);

bool AddScored(const kafka::ConsumedMessage& m, SimulationHistory& h, std::set<std::string>&) {
  HistoryLead l;
  if (!l.scored.ParseFromString(m.payload)) return false;
  const auto& meta = l.scored.lead().meta();
  if (meta.lead_id().empty() || meta.relationship() == cv1::RELATIONSHIP_UNSPECIFIED) {
    return true;  // routing refuses these (leads.rejected): nothing to decide
  }
  // When it reached the topic; kafka::ScanTopic leaves the record time
  // unset, so scoring's own time stands in for it.
  l.at_ms = m.timestamp_ms > 0 ? m.timestamp_ms : MillisOf(l.scored.scored_at());
  l.partition = m.partition;
  l.offset = m.offset;
  h.leads.push_back(std::move(l));
  return true;
}

bool AddFeedback(const kafka::ConsumedMessage& m, SimulationHistory& h, std::set<std::string>&) {
  HistoryFeedback f;
  if (!f.feedback.ParseFromString(m.payload)) return false;
  // Only routing writes sales.feedback (broker ACLs; docs/security.md), and
  // marks what it applied. kafka::ScanTopic does not carry headers today, so
  // a record without one is taken as applied; one marked otherwise is not.
  const auto origin = m.FindHeader(kOriginHeader);
  if (origin && *origin != "routing") return true;
  f.at_ms = f.feedback.has_at() ? MillisOf(f.feedback.at()) : m.timestamp_ms;
  h.feedback.push_back(std::move(f));
  return true;
}

bool AddAvailability(const kafka::ConsumedMessage& m, SimulationHistory& h,
                     std::set<std::string>&) {
  rv1::RepAvailabilityChanged c;
  if (!c.ParseFromString(m.payload)) return false;
  h.availability.push_back(
      {c.has_at() ? MillisOf(c.at()) : m.timestamp_ms, c.rep_id(), c.availability()});
  return true;
}

bool AddOutOfOffice(const kafka::ConsumedMessage& m, SimulationHistory& h, std::set<std::string>&) {
  rv1::RepOutOfOffice o;
  if (!o.ParseFromString(m.payload)) return false;
  // As routing applied it: a record it refused (no rep, invalid windows)
  // changed nothing. Every window is kept (none had ended at time 0).
  auto windows = OutOfOfficeFromProto(o.windows(), 0);
  if (o.rep_id().empty() || !windows.ok()) return true;
  h.out_of_office.push_back(
      {o.has_at() ? MillisOf(o.at()) : m.timestamp_ms, o.rep_id(), std::move(*windows)});
  return true;
}

bool AddAssigned(const kafka::ConsumedMessage& m, SimulationHistory& h,
                 std::set<std::string>& seen) {
  rv1::LeadAssigned a;
  if (!a.ParseFromString(m.payload)) return false;
  AddDecision(a.scored(), a.decision(), &a.previous_reps(),
              a.has_sla_due_at() ? MillisOf(a.sla_due_at()) : 0, h, seen);
  return true;
}

bool AddNurture(const kafka::ConsumedMessage& m, SimulationHistory& h,
                std::set<std::string>& seen) {
  rv1::NurtureRequested n;
  if (!n.ParseFromString(m.payload)) return false;
  if (n.reason() != cv1::REASON_UNSPECIFIED) return true;  // a protected sales rejection
  AddDecision(n.scored(), n.decision(), nullptr, 0, h, seen);
  return true;
}

bool AddInbound(const kafka::ConsumedMessage& m, SimulationHistory& h,
                std::set<std::string>& seen) {
  rv1::CustomerInbound c;
  if (!c.ParseFromString(m.payload)) return false;
  AddDecision(c.scored(), c.decision(), nullptr, 0, h, seen);
  return true;
}

bool AddRejected(const kafka::ConsumedMessage& m, SimulationHistory& h,
                 std::set<std::string>& seen) {
  leadflow::common::v1::LeadRejected r;
  if (!r.ParseFromString(m.payload)) return false;
  if (!r.disqualified() || r.stage() != leadflow::common::v1::ROUTING) return true;
  leadflow::scoring::v1::LeadScored ids;  // the lead's id; revision unknown (0)
  *ids.mutable_lead()->mutable_meta() = r.meta();
  rv1::Decision d;
  d.set_outcome(rv1::DISQUALIFIED);
  *d.mutable_decided_at() = r.rejected_at();
  AddDecision(ids, d, nullptr, 0, h, seen);
  return true;
}

RecordReader ReaderOf(const std::string& topic) {
  static const std::map<std::string, RecordReader> readers = {
      {topics::kLeadsScored, AddScored},
      {topics::kSalesFeedback, AddFeedback},
      {topics::kRepsAvailability, AddAvailability},
      {topics::kRepsOutOfOffice, AddOutOfOffice},
      {topics::kLeadsAssigned, AddAssigned},
      {topics::kLeadsNurture, AddNurture},
      {topics::kAccountsInbound, AddInbound},
      {topics::kLeadsRejected, AddRejected}};
  auto it = readers.find(topic);
  return it == readers.end() ? nullptr : it->second;
}

}  // namespace

bool AddRecord(const kafka::ConsumedMessage& m, SimulationHistory& h, std::set<std::string>& seen) {
  const RecordReader read = ReaderOf(m.topic);
  return read != nullptr && read(m, h, seen);
}

StatusOr<SimulationHistory> ReadSimulationHistory(
    const HistoryReadOptions& options,
    const std::function<void(const std::string&, size_t)>& progress) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + options.timeout;
  SimulationHistory h;
  std::set<std::string> seen;
  for (const auto& topic : SimulationTopics()) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return Status::Unavailable(topic + ": the history read ran out of time (" +
                                 std::to_string(options.timeout.count()) + " ms)");
    }
    kafka::TopicScanOptions scan;
    scan.brokers = options.brokers;
    scan.extra_properties = options.kafka_properties;
    scan.topic = topic;
    scan.timeout = left;
    size_t n = 0;
    Status s = kafka::ScanTopic(scan, [&](const kafka::ConsumedMessage& m) {
      ++n;
      AddRecord(m, h, seen);
    });
    if (!s.ok()) return Status(s.code(), topic + ": " + s.message());
    if (progress) progress(topic, n);
  }
  return h;
}

}  // namespace leadflow::routing
