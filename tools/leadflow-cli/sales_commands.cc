#include "sales_commands.h"

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <optional>
#include <unistd.h>

#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <vector>

#include "common/kafka/consumer.h"
#include "common/kafka/topic_scan.h"
#include "common/kafka/producer.h"
#include "common/kafka/topics.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "leadflow/routing/v1/routing.grpc.pb.h"
#include "cli_producer.h"
#include "outcome.h"

namespace leadflow::cli {
namespace {

namespace cv1 = leadflow::common::v1;
namespace ev1 = leadflow::engagement::v1;
namespace rv1 = leadflow::routing::v1;

std::string Get(const Options& o, const std::string& name) {
  auto it = o.find(name);
  return it == o.end() ? "" : it->second;
}

// Prints "leadflow-cli <command>: --<name> is required" when a value is missing.
bool Require(const Options& o, const char* command, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (Get(o, n).empty()) {
      std::fprintf(stderr, "leadflow-cli %s: --%s is required (try --help)\n", command, n);
      return false;
    }
  }
  return true;
}

void SetNow(google::protobuf::Timestamp* t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  t->set_seconds(ms / 1000);
  t->set_nanos(static_cast<int32_t>(ms % 1000) * 1000000);
}

int ProduceOne(const std::string& brokers, const std::string& topic, const std::string& key,
               const std::string& payload, const std::string& what) {
  auto p = MakeProducer(brokers);
  if (!p) return 1;
  if (auto s = p->Produce({topic, key, payload, {}}); !s.ok()) {
    std::fprintf(stderr, "leadflow-cli: %s\n", s.message().c_str());
    return 1;
  }
  return FlushOrFail(*p, 1, (what + " to " + topic).c_str());
}

std::unique_ptr<kafka::Consumer> FromBeginning(const std::string& brokers, const char* topic) {
  kafka::ConsumerOptions o;
  o.brokers = brokers;
  o.group_id = std::string("leadflow-cli-") + topic + "-" + std::to_string(getpid());
  o.topics = {topic};
  o.client_id = "leadflow-cli";
  auto c = kafka::MakeKafkaConsumer(o, nullptr);
  if (!c.ok()) {
    std::fprintf(stderr, "leadflow-cli: %s\n", c.status().message().c_str());
    return nullptr;
  }
  return std::move(*c);
}

}  // namespace

int Assignments(const std::string& brokers, const Options& options) {
  // Outside any group: every partition up to its end when the scan starts.
  kafka::TopicScanOptions scan;
  scan.brokers = brokers;
  scan.topic = topics::kLeadsAssigned;
  const std::string team = Get(options, "team"), rep = Get(options, "rep");
  std::vector<rv1::LeadAssigned> rows;
  Status s = kafka::ScanTopic(scan, [&](const kafka::ConsumedMessage& m) {
    rv1::LeadAssigned a;
    if (!a.ParseFromString(m.payload)) return;
    const auto& d = a.decision();
    if ((!team.empty() && d.team() != team) || (!rep.empty() && d.rep_id() != rep)) return;
    rows.push_back(std::move(a));
  });
  if (!s.ok()) {
    std::fprintf(stderr, "leadflow-cli assignments: %s\n", s.message().c_str());
    return 1;
  }
  // In decision time order (partitions are read one after another).
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    const auto& x = a.decision().decided_at();
    const auto& y = b.decision().decided_at();
    return x.seconds() != y.seconds() ? x.seconds() < y.seconds() : x.nanos() < y.nanos();
  });
  std::printf("%-4s %-36s %-11s %-28s %-24s %5s %6s\n", "#", "LEAD", "OUTCOME", "WHO", "COMPANY",
              "BANT", "SCORE");
  int n = 0;
  for (const auto& a : rows) {
    const auto& d = a.decision();
    std::printf("%-4d %-36s %-11s %s %s %5d %6.0f\n", ++n,
                a.scored().lead().meta().lead_id().c_str(),
                rv1::RoutingOutcome_Name(d.outcome()).c_str(),
                FitColumn(d.team() + (d.rep_id().empty() ? "" : "/" + d.rep_id()), 28).c_str(),
                FitColumn(a.scored().lead().company().name(), 24).c_str(),
                a.scored().bant().product(), a.scored().total_score());
  }
  return 0;
}

int OpenLeads(const std::string& routing_address, const std::string& api_key,
              const Options& options) {
  if (Get(options, "team").empty() == Get(options, "rep").empty()) {
    std::fprintf(stderr, "leadflow-cli open-leads: give one of --team or --rep\n");
    return 2;
  }
  auto stub = rv1::RoutingService::NewStub(
      grpc::CreateChannel(routing_address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!api_key.empty()) ctx.AddMetadata("x-api-key", api_key);
  rv1::ListOpenLeadsRequest req;
  req.set_team(Get(options, "team"));
  req.set_rep_id(Get(options, "rep"));
  rv1::ListOpenLeadsResponse resp;
  grpc::Status st = stub->ListOpenLeads(&ctx, req, &resp);
  if (!st.ok()) {
    std::fprintf(stderr, "leadflow-cli open-leads: gRPC ListOpenLeads: %d: %s\n",
                 static_cast<int>(st.error_code()), st.error_message().c_str());
    return 1;
  }
  std::printf("%-4s %-36s %-16s %-16s %-24s %5s %6s\n", "#", "LEAD", "STATE", "REP", "COMPANY",
              "BANT", "SCORE");
  int n = 0;
  for (const auto& v : resp.leads()) {
    const auto& scored = v.record().scored();
    std::printf("%-4d %-36s %-16s %-16s %s %5d %6.0f\n", ++n, v.lead_id().c_str(),
                rv1::SalesState_Name(v.state()).c_str(), v.rep_id().empty() ? "-" : v.rep_id().c_str(),
                FitColumn(scored.lead().company().name(), 24).c_str(), scored.bant().product(),
                scored.total_score());
  }
  return 0;
}

int Feedback(const std::string& brokers, const Options& options) {
  if (!Require(options, "feedback", {"team", "rep", "lead", "kind"})) return 2;
  rv1::SalesFeedback fb;
  fb.set_lead_id(Get(options, "lead"));
  fb.set_rep_id(Get(options, "rep"));
  const std::string kind = Get(options, "kind");
  std::string what = kind;
  if (kind == "accept") {
    fb.set_kind(rv1::ACCEPT);
  } else if (kind == "reject") {
    cv1::ReasonCode reason;
    if (!cv1::ReasonCode_Parse(Get(options, "reason"), &reason)) {
      std::fprintf(stderr,
                   "leadflow-cli feedback: --reason must be a ReasonCode name (e.g. RIGID_SPEC), "
                   "got \"%s\"\n",
                   Get(options, "reason").c_str());
      return 2;
    }
    fb.set_kind(rv1::REJECT);
    fb.set_reject_reason(reason);
    what += " " + Get(options, "reason");
  } else if (kind == "close") {
    rv1::DealOutcome outcome;
    if (!rv1::DealOutcome_Parse(Get(options, "outcome"), &outcome)) {
      std::fprintf(stderr, "leadflow-cli feedback: --outcome must be WON, LOST or "
                           "OUTCOME_DISQUALIFIED, got \"%s\"\n",
                   Get(options, "outcome").c_str());
      return 2;
    }
    fb.set_kind(rv1::CLOSE);
    fb.set_outcome(outcome);
    what += " " + Get(options, "outcome");
    if (const std::string code = Get(options, "loss-reason"); !code.empty()) {
      cv1::ReasonCode loss;
      if (!cv1::ReasonCode_Parse(code, &loss)) {
        std::fprintf(stderr, "leadflow-cli feedback: --loss-reason must be a ReasonCode name (e.g. "
                             "LOST_PRICE, LOST_TO_COMPETITOR), got \"%s\"\n",
                     code.c_str());
        return 2;
      }
      fb.set_loss_reason(loss);
      fb.set_loss_detail(Get(options, "loss-detail"));
      what += " (" + code + ")";
    }
  } else if (kind == "stage") {
    if (!Require(options, "feedback --kind stage", {"stage"})) return 2;
    fb.set_kind(rv1::STAGE);
    fb.set_stage(Get(options, "stage"));
    if (const std::string v = Get(options, "value"); !v.empty()) {
      char* end = nullptr;
      const long long rub = std::strtoll(v.c_str(), &end, 10);
      if (*end != '\0' || rub < 0) {
        std::fprintf(stderr, "leadflow-cli feedback: --value takes RUB as a whole number, got "
                             "\"%s\"\n",
                     v.c_str());
        return 2;
      }
      fb.set_deal_value_rub(rub);
    }
    fb.set_back_reason(Get(options, "back-reason"));
    what += " " + fb.stage();
  } else {
    std::fprintf(stderr, "leadflow-cli feedback: --kind must be accept, reject, close or stage, got "
                         "\"%s\"\n",
                 kind.c_str());
    return 2;
  }
  SetNow(fb.mutable_at());
  return ProduceOne(brokers, std::string(topics::kSalesFeedbackTeamPrefix) + Get(options, "team"),
                    fb.lead_id(), fb.SerializeAsString(),
                    what + " of " + fb.lead_id() + " by " + fb.rep_id());
}

int Availability(const std::string& routing_address, const std::string& api_key,
                 const Options& options) {
  if (!Require(options, "availability", {"rep", "state"})) return 2;
  rv1::SetRepAvailabilityRequest req;
  rv1::RepAvailability state;
  if (!rv1::RepAvailability_Parse(Get(options, "state"), &state) ||
      state == rv1::REP_AVAILABILITY_UNSPECIFIED) {
    std::fprintf(stderr, "leadflow-cli availability: --state must be ACTIVE or PAUSED, "
                         "got \"%s\"\n",
                 Get(options, "state").c_str());
    return 2;
  }
  req.set_rep_id(Get(options, "rep"));
  req.set_availability(state);
  auto stub = rv1::RoutingService::NewStub(
      grpc::CreateChannel(routing_address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!api_key.empty()) ctx.AddMetadata("x-api-key", api_key);
  rv1::SetRepAvailabilityResponse resp;
  grpc::Status st = stub->SetRepAvailability(&ctx, req, &resp);
  if (!st.ok()) {
    std::fprintf(stderr, "leadflow-cli availability: gRPC SetRepAvailability: %d: %s\n",
                 static_cast<int>(st.error_code()), st.error_message().c_str());
    return 1;
  }
  std::printf("%s is %s\n", resp.rep_id().c_str(),
              rv1::RepAvailability_Name(resp.availability()).c_str());
  return 0;
}

int OutOfOffice(const std::string& routing_address, const std::string& api_key,
                const Options& options) {
  if (!Require(options, "out-of-office", {"rep"})) return 2;
  const bool clear = options.count("clear") > 0;
  auto minutes_of = [&](const char* name, int fallback, int* out) {
    const std::string v = Get(options, name);
    if (v.empty()) {
      *out = fallback;
      return true;
    }
    char* end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    if (end == v.c_str() || *end != '\0' || n < 0 || n > 366 * 24 * 60) {
      std::fprintf(stderr, "leadflow-cli out-of-office: --%s must be minutes (0..527040), got \"%s\"\n",
                   name, v.c_str());
      return false;
    }
    *out = static_cast<int>(n);
    return true;
  };
  int in = 0, minutes = 0;
  if (!minutes_of("in", 0, &in) || !minutes_of("minutes", 0, &minutes)) return 2;
  if (!clear && minutes == 0) {
    std::fprintf(stderr, "leadflow-cli out-of-office: give --minutes N (with --in M) or --clear\n");
    return 2;
  }
  rv1::SetRepOutOfOfficeRequest req;
  req.set_rep_id(Get(options, "rep"));
  if (!clear) {
    const auto start = std::chrono::system_clock::now() + std::chrono::minutes(in);
    const auto end = start + std::chrono::minutes(minutes);
    auto* w = req.add_windows();
    w->mutable_start()->set_seconds(std::chrono::system_clock::to_time_t(start));
    w->mutable_end()->set_seconds(std::chrono::system_clock::to_time_t(end));
  }
  auto stub = rv1::RoutingService::NewStub(
      grpc::CreateChannel(routing_address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!api_key.empty()) ctx.AddMetadata("x-api-key", api_key);
  rv1::SetRepOutOfOfficeResponse resp;
  grpc::Status st = stub->SetRepOutOfOffice(&ctx, req, &resp);
  if (!st.ok()) {
    std::fprintf(stderr, "leadflow-cli out-of-office: gRPC SetRepOutOfOffice: %d: %s\n",
                 static_cast<int>(st.error_code()), st.error_message().c_str());
    return 1;
  }
  if (resp.windows_size() == 0) std::printf("%s has no out-of-office window\n", resp.rep_id().c_str());
  for (const auto& w : resp.windows()) {
    std::printf("%s is out of office from %s to %s\n", resp.rep_id().c_str(),
                google::protobuf::util::TimeUtil::ToString(w.start()).c_str(),
                google::protobuf::util::TimeUtil::ToString(w.end()).c_str());
  }
  return 0;
}

int Engage(const std::string& brokers, const Options& options) {
  if (!Require(options, "engage", {"type", "account"})) return 2;
  ev1::EngagementEvent ev;
  ev1::EngagementType type;
  if (!ev1::EngagementType_Parse(Get(options, "type"), &type) ||
      type == ev1::ENGAGEMENT_TYPE_UNSPECIFIED) {
    std::fprintf(stderr, "leadflow-cli engage: --type must be an EngagementType name (e.g. "
                         "REPLIED, MEETING_BOOKED), got \"%s\"\n",
                 Get(options, "type").c_str());
    return 2;
  }
  ev.set_type(type);
  ev.set_account_key(Get(options, "account"));
  ev.set_contact_id(Get(options, "contact"));
  ev.set_lead_id(Get(options, "lead"));
  ev.set_content_id(Get(options, "content"));
  ev.set_source_id("leadflow-cli");
  ev.set_event_id("cli-" + std::to_string(getpid()) + "-" + std::to_string(time(nullptr)));
  SetNow(ev.mutable_occurred_at());
  const std::string key = ev.contact_id().empty() ? ev.account_key() : ev.contact_id();
  return ProduceOne(brokers, topics::kEngagementEvents, key, ev.SerializeAsString(),
                    Get(options, "type") + " of account " + ev.account_key());
}

int Deals(const std::string& brokers) {
  // Both topics outside any group, then one list in time order.
  struct Row {
    int64_t ms = 0;
    std::string text;
  };
  std::vector<Row> rows;
  auto ms_of = [](const google::protobuf::Timestamp& t) {
    return t.seconds() * 1000 + t.nanos() / 1000000;
  };
  kafka::TopicScanOptions scan;
  scan.brokers = brokers;
  scan.topic = topics::kDealsStages;
  Status s = kafka::ScanTopic(scan, [&](const kafka::ConsumedMessage& m) {
    rv1::DealStageChanged c;
    if (!c.ParseFromString(m.payload)) return;
    char line[512];
    std::snprintf(line, sizeof line, "%-8s %-36s %-14s %-18s %3d %%  %13lld RUB  (from %s after %lld s)",
                  c.backward() ? "BACK" : "STAGE", c.lead_id().c_str(), c.rep_id().c_str(),
                  c.stage().c_str(), c.win_probability_pct(),
                  static_cast<long long>(c.deal_value_rub()),
                  c.previous_stage().empty() ? "accepted" : c.previous_stage().c_str(),
                  static_cast<long long>(c.ms_in_previous_stage() / 1000));
    rows.push_back({ms_of(c.changed_at()), line});
  });
  if (s.ok()) {
    scan.topic = topics::kDealsStalls;
    s = kafka::ScanTopic(scan, [&](const kafka::ConsumedMessage& m) {
      rv1::DealStalled d;
      if (!d.ParseFromString(m.payload)) return;
      char line[512];
      std::snprintf(line, sizeof line,
                    "%-8s %-36s %-14s %-18s %lld s in stage, its maximum %lld s: stage owner %s "
                    "and the team lead told",
                    "STALLED", d.lead_id().c_str(), d.rep_id().c_str(), d.stage().c_str(),
                    static_cast<long long>(d.ms_in_stage() / 1000),
                    static_cast<long long>(d.max_ms_in_stage() / 1000), d.owner().c_str());
      rows.push_back({ms_of(d.stalled_at()), line});
    });
  }
  if (!s.ok()) {
    std::fprintf(stderr, "leadflow-cli deals: %s\n", s.message().c_str());
    return 1;
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.ms < b.ms; });
  for (const auto& r : rows) std::printf("%s\n", r.text.c_str());
  return 0;
}

int Notifications(const std::string& brokers, const Options& options, int expect, int timeout_s) {
  auto consumer = FromBeginning(brokers, topics::kAccountsNotifications);
  if (!consumer) return 1;
  const std::string kind = Get(options, "kind");
  int n = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < deadline && (expect == 0 || n < expect)) {
    for (const auto& m : consumer->PollBatch(200, std::chrono::milliseconds(200))) {
      auto row = DescribeNotification(m.payload);
      if (!row || (!kind.empty() && row->kind != kind)) continue;
      ++n;
      std::printf("%-20s %-12s to %-14s %s\n", row->kind.c_str(), row->account_key.c_str(),
                  row->owner.c_str(), row->what.c_str());
    }
  }
  consumer->Close();
  if (expect > 0 && n < expect) {
    std::fprintf(stderr, "leadflow-cli notifications: saw %d of %d within %d s\n", n, expect,
                 timeout_s);
    return 1;
  }
  return 0;
}

}  // namespace leadflow::cli
