#include "simulate_command.h"

#include <google/protobuf/util/time_util.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <optional>

#include "common/config/proto_loader.h"
#include "routing/app/zoneinfo_loader.h"
#include "routing/app/simulation_history_reader.h"
#include "routing/domain/rule_simulation.h"
#include "scoring/domain/scoring_policy.h"
#include "scoring_what_if.h"
#include "simulate_report_json.h"

namespace leadflow::cli {
namespace {

namespace rv1 = leadflow::routing::v1;
using routing::SimulationReport;

constexpr size_t kChangesShown = 40;  // rows of the printed diff (all are in --json)
constexpr size_t kPathsShown = 3;     // changes printed with both decision paths
constexpr size_t kMqlChangesShown = 40;  // rows per list of the MQL what-if (all in --json)
// The live scoring model the self-check and the engagement check compare with.
constexpr char kDefaultLiveScoringModel[] = "config/scoring_model.json";

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

void PrintMqlChanges(const char* title, const std::vector<MqlChange>& changes) {
  std::printf("\n  %s: %zu\n", title, changes.size());
  if (changes.empty()) return;
  std::printf("  %-36s %3s %-24s %-26s %s\n", "LEAD", "REV", "SCORED AT", "ACTUAL", "CANDIDATE");
  for (size_t i = 0; i < changes.size() && i < kMqlChangesShown; ++i) {
    const auto& c = changes[i];
    char before[64], after[64];
    std::snprintf(before, sizeof before, "%.2f %s %s", c.old_total, c.old_grade.c_str(),
                  c.old_stage.c_str());
    std::snprintf(after, sizeof after, "%.2f %s %s", c.new_total, c.new_grade.c_str(),
                  c.new_stage.c_str());
    std::printf("  %-36s %3d %-24s %-26s %s\n", c.lead_id.c_str(), c.revision,
                Rfc3339(c.scored_at_ms).c_str(), before, after);
  }
  if (changes.size() > kMqlChangesShown) {
    std::printf("  ... %zu more (all of them in --json)\n", changes.size() - kMqlChangesShown);
  }
}

void PrintScoringWhatIf(const ScoringWhatIfReport& w) {
  std::printf("simulate: scoring model %s (live %s), %lld leads.scored records re-scored\n",
              w.candidate_version.c_str(), w.live_version.c_str(),
              static_cast<long long>(w.records));
  std::printf("  MQLs scored in the window: %lld actual, %lld under the candidate (of %lld)\n",
              static_cast<long long>(w.mql_before), static_cast<long long>(w.mql_after),
              static_cast<long long>(w.records_in_window));
  if (w.live_mismatches > 0 || w.other_model_version > 0) {
    std::printf(
        "  self-check: the live model does not reproduce %lld record(s) (total, grade or "
        "stage; the model changed since?); %lld record(s) carry another model_version\n",
        static_cast<long long>(w.live_mismatches), static_cast<long long>(w.other_model_version));
    for (const auto& id : w.live_mismatch_leads) std::printf("    %s\n", id.c_str());
  } else {
    std::printf("  self-check: the live model reproduces every record's score\n");
  }
  PrintMqlChanges("MQLs added (MQL under the candidate only)", w.added);
  PrintMqlChanges("MQLs dropped (MQL in history only)", w.dropped);
  std::printf("\nRouting replay of the candidate-scored records:\n");
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
  // --scoring-model: both models loaded and the engagement settings checked
  // before any history is read (docs/simulation.md, "Scoring-model what-if").
  std::shared_ptr<const scoring::ScoringPolicy> live_scoring, candidate_scoring;
  if (const std::string path = Opt(options, "scoring-model"); !path.empty()) {
    auto load = [](const std::string& p) {
      return config::LoadRules<config::v1::ScoringModel>(p, [](config::v1::ScoringModel m) {
        return scoring::ScoringPolicy::Create(std::move(m));
      });
    };
    std::string live_path = Opt(options, "live-scoring-model");
    if (live_path.empty()) live_path = kDefaultLiveScoringModel;
    auto live = load(live_path);
    if (!live.ok()) {
      std::fprintf(stderr, "leadflow-cli simulate: live scoring model: %s\n",
                   live.status().message().c_str());
      return 2;
    }
    auto candidate = load(path);
    if (!candidate.ok()) {
      std::fprintf(stderr, "leadflow-cli simulate: %s\n", candidate.status().message().c_str());
      return 2;
    }
    if (Status s = CheckSameEngagement((*live)->model(), (*candidate)->model()); !s.ok()) {
      std::fprintf(stderr, "leadflow-cli simulate: %s: %s\n", path.c_str(),
                   s.message().c_str());
      return 2;
    }
    live_scoring = *live;
    candidate_scoring = *candidate;
  }
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
  std::optional<ScoringWhatIfReport> what_if;
  if (candidate_scoring != nullptr) {
    auto w = RescoreHistory(*live_scoring, *candidate_scoring, history->leads, so.from_ms,
                            so.to_ms);
    if (!w.ok()) {  // checked above; kept for safety
      std::fprintf(stderr, "leadflow-cli simulate: %s\n", w.status().message().c_str());
      return 2;
    }
    what_if = std::move(*w);
  }
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
  if (what_if) PrintScoringWhatIf(*what_if);
  PrintSummary(report);
  if (!so.trace_lead.empty()) PrintLead(so.trace_lead, report);
  if (const std::string path = Opt(options, "json"); !path.empty()) {
    std::ofstream out(path, std::ios::trunc);
    out << SimulationReportJson(report, what_if ? &*what_if : nullptr);
    if (!out.good()) {
      std::fprintf(stderr, "leadflow-cli simulate: cannot write %s\n", path.c_str());
      return 1;
    }
    std::fprintf(stderr, "simulate: report written to %s\n", path.c_str());
  }
  return 0;
}

}  // namespace leadflow::cli
