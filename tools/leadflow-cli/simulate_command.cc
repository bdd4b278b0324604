#include "simulate_command.h"

#include <google/protobuf/util/time_util.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>

#include "common/config/proto_loader.h"
#include "routing/app/zoneinfo_loader.h"
#include "routing/app/simulation_history_reader.h"
#include "routing/domain/rule_simulation.h"
#include "simulate_report_json.h"

namespace leadflow::cli {
namespace {

namespace rv1 = leadflow::routing::v1;
using routing::SimulationReport;

constexpr size_t kChangesShown = 40;  // rows of the printed diff (all are in --json)
constexpr size_t kPathsShown = 3;     // changes printed with both decision paths

std::string Opt(const Options& o, const char* name) {
  auto it = o.find(name);
  return it == o.end() ? "" : it->second;
}

bool ParseTime(const std::string& text, const char* name, int64_t* out) {
  google::protobuf::Timestamp ts;
  if (!google::protobuf::util::TimeUtil::FromString(text, &ts)) {
    std::fprintf(stderr,
                 "leadflow-cli simulate: --%s takes an RFC 3339 time "
                 "(2026-11-02T09:00:00Z), got \"%s\"\n",
                 name, text.c_str());
    return false;
  }
  *out = google::protobuf::util::TimeUtil::TimestampToMilliseconds(ts);
  return true;
}

std::string Who(const rv1::Decision& d) {
  if (d.outcome() == rv1::ROUTING_OUTCOME_UNSPECIFIED) return "(not decided)";
  std::string s = rv1::RoutingOutcome_Name(d.outcome());
  if (!d.team().empty()) s += " " + d.team();
  if (!d.rep_id().empty()) s += "/" + d.rep_id();
  return s;
}

void PrintPath(const char* label, const rv1::Decision& d) {
  std::printf("    %s: %s (rules %s, at %s)\n", label, Who(d).c_str(), d.rules_version().c_str(),
              google::protobuf::util::TimeUtil::ToString(d.decided_at()).c_str());
  for (const auto& step : d.path()) {
    std::printf("      [%c] %-28s %s\n", step.matched() ? 'x' : ' ', step.rule_id().c_str(),
                step.detail().c_str());
  }
}

void PrintSummary(const SimulationReport& r) {
  std::printf(
      "simulate: rules %s, window %s .. %s\n", r.rules_version.c_str(),
      r.from_ms == std::numeric_limits<int64_t>::min() ? "(start)" : Rfc3339(r.from_ms).c_str(),
      r.to_ms == std::numeric_limits<int64_t>::max() ? "(end)" : Rfc3339(r.to_ms).c_str());
  std::printf(
      "  leads decided in the window: %lld (replayed in all: %lld; no decision in "
      "history: %lld)\n",
      static_cast<long long>(r.leads_in_window), static_cast<long long>(r.leads_replayed),
      static_cast<long long>(r.unmatched));
  std::map<std::string, std::pair<int64_t, int64_t>> outcomes;
  for (const auto& [k, v] : r.actual_outcomes) outcomes[k].first = v;
  for (const auto& [k, v] : r.simulated_outcomes) outcomes[k].second = v;
  std::printf("\n  %-18s %9s %9s\n", "OUTCOME", "ACTUAL", "SIMULATED");
  for (const auto& [k, v] : outcomes) {
    std::printf("  %-18s %9lld %9lld\n", k.c_str(), static_cast<long long>(v.first),
                static_cast<long long>(v.second));
  }
  auto kind = [&](const char* k) {
    auto it = r.changes_by_kind.find(k);
    return static_cast<long long>(it == r.changes_by_kind.end() ? 0 : it->second);
  };
  auto source = [&](const char* k) {
    auto it = r.changes_by_source.find(k);
    return static_cast<long long>(it == r.changes_by_source.end() ? 0 : it->second);
  };
  std::printf("\nDiff: %zu lead(s) decided differently (outcome %lld, team %lld, rep %lld)\n",
              r.changes.size(), kind("outcome"), kind("team"), kind("rep"));
  if (!r.changes.empty()) {
    std::printf("  by: leads.scored %lld, queue drains %lld, SLA re-assignments %lld\n",
                source("scored"), source("queue_drain"), source("sla_reassign"));
  }
  if (!r.changes.empty()) {
    std::printf("  %-36s %-12s %-34s %s\n", "LEAD", "BY", "ACTUAL", "SIMULATED");
    for (size_t i = 0; i < r.changes.size() && i < kChangesShown; ++i) {
      const auto& c = r.changes[i];
      std::printf("  %-36s %-12s %-34s %s\n", c.lead_id.c_str(), routing::SourceName(c.source),
                  Who(c.actual).c_str(), Who(c.simulated).c_str());
    }
    if (r.changes.size() > kChangesShown) {
      std::printf("  ... %zu more (all of them, with paths, in --json)\n",
                  r.changes.size() - kChangesShown);
    }
    for (size_t i = 0; i < r.changes.size() && i < kPathsShown; ++i) {
      std::printf("\n  %s (revision %d, %s)\n", r.changes[i].lead_id.c_str(),
                  r.changes[i].revision, routing::SourceName(r.changes[i].source));
      PrintPath("actual", r.changes[i].actual);
      PrintPath("simulated", r.changes[i].simulated);
    }
  }
  std::printf("\n  %-16s %-16s %6s %7s %7s %9s %9s %5s %5s\n", "REP", "TEAM", "WEIGHT", "W.SHARE",
              "SHARE", "ASSIGNED", "(ACTUAL)", "PEAK", "OPEN");
  for (const auto& l : r.reps) {
    std::printf("  %-16s %-16s %6d %6.1f%% %6.1f%% %9lld %9lld %5d %5d%s\n", l.rep_id.c_str(),
                l.team.c_str(), l.weight, l.weight_share * 100, l.share * 100,
                static_cast<long long>(l.assigned), static_cast<long long>(l.actual_assigned),
                l.peak_open, l.open_at_end, l.off_weight ? "  off weight" : "");
  }
  std::map<std::string, std::pair<int, int64_t>> deepest;  // team -> (depth, bucket)
  for (const auto& q : r.queue_depth) {
    auto& d = deepest[q.team];
    if (q.max_depth > d.first) d = {q.max_depth, q.bucket_start_ms};
  }
  std::printf("\n  queues: %lld drained (actual %lld)", static_cast<long long>(r.queue_drains),
              static_cast<long long>(r.actual_queue_drains));
  for (const auto& [team, d] : deepest) {
    std::printf("; %s deepest %d (hour of %s)", team.c_str(), d.first, Rfc3339(d.second).c_str());
  }
  std::printf(
      "\n  SLA: %lld assignments not accepted in time (actual %lld), %lld queued past due, "
      "%lld re-assigned (actual %lld)\n",
      static_cast<long long>(r.sla_missed_assigned),
      static_cast<long long>(r.actual_sla_missed_assigned),
      static_cast<long long>(r.sla_missed_queued),
      static_cast<long long>(r.sla_reassigned), static_cast<long long>(r.actual_sla_reassigned));
}

void PrintLead(const std::string& lead, const SimulationReport& r) {
  std::printf("\nLead %s\n", lead.c_str());
  if (r.lead_simulated.empty() && r.lead_actual.empty()) {
    std::printf("  not in the replayed history\n");
    return;
  }
  for (const auto& d : r.lead_simulated) PrintPath("simulated", d);
  for (const auto& d : r.lead_actual) PrintPath("actual", d);
}

}  // namespace

int Simulate(const std::string& brokers, const Options& options) {
  const std::string rules_path = Opt(options, "rules");
  if (rules_path.empty()) {
    std::fprintf(stderr, "leadflow-cli simulate: --rules FILE is required (try --help)\n");
    return 2;
  }
  routing::SimulationOptions so;
  if (!Opt(options, "from").empty() && !ParseTime(Opt(options, "from"), "from", &so.from_ms)) {
    return 2;
  }
  if (!Opt(options, "to").empty() && !ParseTime(Opt(options, "to"), "to", &so.to_ms)) return 2;
  if (so.from_ms >= so.to_ms) {
    std::fprintf(stderr, "leadflow-cli simulate: --from must be before --to\n");
    return 2;
  }
  so.trace_lead = Opt(options, "lead");
  auto policy =
      config::LoadRules<config::v1::RoutingRules>(rules_path, [](config::v1::RoutingRules rules) {
        return routing::RoutingPolicy::Create(std::move(rules), routing::SystemZoneResolver());
      });
  if (!policy.ok()) {
    std::fprintf(stderr, "leadflow-cli simulate: %s\n", policy.status().message().c_str());
    return 2;
  }
  // Off weight as the fairness alert judges it under these rules.
  so.fairness_tolerance_pct = (*policy)->fairness().tolerance_pct;
  so.fairness_min_team_assignments = (*policy)->fairness().min_team_assignments;
  const auto started = std::chrono::steady_clock::now();
  routing::HistoryReadOptions read_options;
  read_options.brokers = brokers;
  auto history = routing::ReadSimulationHistory(read_options, [](const std::string& topic, size_t n) {
    std::fprintf(stderr, "simulate: read %zu records of %s\n", n, topic.c_str());
  });
  if (!history.ok()) {
    std::fprintf(stderr, "leadflow-cli simulate: %s\n", history.status().message().c_str());
    return 1;
  }
  so.progress = [](size_t done, size_t total) {
    std::fprintf(stderr, "simulate: %zu/%zu events replayed\n", done, total);
  };
  const auto read = std::chrono::steady_clock::now();
  const SimulationReport report = routing::RuleSimulation(*policy).Run(*history, so);
  const auto done = std::chrono::steady_clock::now();
  auto ms = [](auto a, auto b) {
    return static_cast<long long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count());
  };
  std::fprintf(stderr,
               "simulate: %zu leads, %zu feedback, %zu availability, %zu decisions read "
               "in %lld ms; replayed in %lld ms\n",
               history->leads.size(), history->feedback.size(), history->availability.size(),
               history->decisions.size(), ms(started, read), ms(read, done));
  PrintSummary(report);
  if (!so.trace_lead.empty()) PrintLead(so.trace_lead, report);
  if (const std::string path = Opt(options, "json"); !path.empty()) {
    std::ofstream out(path, std::ios::trunc);
    out << SimulationReportJson(report);
    if (!out.good()) {
      std::fprintf(stderr, "leadflow-cli simulate: cannot write %s\n", path.c_str());
      return 1;
    }
    std::fprintf(stderr, "simulate: report written to %s\n", path.c_str());
  }
  return 0;
}

}  // namespace leadflow::cli
