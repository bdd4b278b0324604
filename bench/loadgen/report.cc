#include "report.h"

#include <algorithm>
#include <cstdio>
#include <functional>

namespace leadflow::bench {
namespace {

const PhaseResult* Find(const RunReport& r, const std::string& name) {
  for (const auto& p : r.phases) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool IsService(const std::string& name) {
  return name == "intake" || name == "scoring" || name == "routing" || name == "nurture";
}

std::string Fmt(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

nlohmann::ordered_json PhaseJson(const PhaseResult& p) {
  const auto& l = p.ledger;
  nlohmann::ordered_json outcomes;
  for (int i = 0; i < kOutcomeCount; ++i) {
    if (l.by_outcome[i]) outcomes[OutcomeName(static_cast<Outcome>(i))] = l.by_outcome[i];
  }
  nlohmann::ordered_json thirds = nlohmann::ordered_json::array();
  for (const auto& t : l.latency_by_third) {
    thirds.push_back({{"count", t.count}, {"p50", t.p50_ms}, {"p99", t.p99_ms}});
  }
  nlohmann::ordered_json procs = nlohmann::ordered_json::array();
  for (const auto& u : p.processes) {
    procs.push_back({{"name", u.name},
                     {"cpu_seconds", u.cpu_seconds},
                     {"cpu_cores", u.cpu_cores},
                     {"rss_max_mb", u.rss_max_mb},
                     {"rss_end_mb", u.rss_end_mb}});
  }
  return {{"name", p.name},
          {"path", p.path},
          {"target_rate", p.target_rate},
          {"wall_seconds", p.wall_seconds},
          {"drained", p.drained},
          {"stopped_early", p.stopped_early},
          {"warmup_leads", l.warmup},
          {"sent", l.sent},
          {"throughput_per_s", l.throughput_per_s},
          {"offered_per_s", l.offered_per_s},
          {"latency_ms",
           {{"count", l.latency.count},
            {"p50", l.latency.p50_ms},
            {"p95", l.latency.p95_ms},
            {"p99", l.latency.p99_ms},
            {"max", l.latency.max_ms},
            {"mean", l.latency.mean_ms}}},
          {"latency_by_third_ms", thirds},
          {"hops_ms",
           {{"intake",
             {{"count", l.intake_hop.count},
              {"p50", l.intake_hop.p50_ms},
              {"p99", l.intake_hop.p99_ms}}},
            {"scoring",
             {{"count", l.scoring_hop.count},
              {"p50", l.scoring_hop.p50_ms},
              {"p99", l.scoring_hop.p99_ms}}},
            {"routing",
             {{"count", l.routing_hop.count},
              {"p50", l.routing_hop.p50_ms},
              {"p99", l.routing_hop.p99_ms}}}}},
          {"correctness",
           {{"correct", l.Correct()},
            {"accounted_once", l.accounted_once},
            {"missing", l.missing},
            {"duplicated", l.duplicated},
            {"expected_invalid", l.expected_invalid},
            {"invalid_not_rejected", l.invalid_not_rejected},
            {"valid_rejected", l.valid_rejected},
            {"unmatched_outputs", l.unmatched_outputs},
            {"outcomes", outcomes}}},
          {"processes", procs},
          {"redis_calls_per_lead", p.redis_calls_per_lead},
          {"redis_usec_per_lead", p.redis_usec_per_lead}};
}

nlohmann::ordered_json SearchJson(const RateSearchResult& r) {
  const auto& st = r.settings;
  nlohmann::ordered_json steps = nlohmann::ordered_json::array();
  for (const auto& s : r.steps) {
    steps.push_back({{"rate", s.rate},
                     {"held", s.judgement.held},
                     {"leads_lost", s.judgement.leads_lost},
                     {"p99_ratio", s.judgement.p99_ratio},
                     {"why", s.judgement.why},
                     {"seconds", s.seconds},
                     {"passthrough", PhaseJson(s.passthrough)},
                     {"pipeline", PhaseJson(s.pipeline)}});
  }
  return {{"settings",
           {{"start", st.start},
            {"max", st.max},
            {"resolution", st.resolution},
            {"budget_seconds", st.budget_seconds},
            {"warmup_seconds", st.warmup_seconds},
            {"window_seconds", st.window_seconds},
            {"p99_factor", st.p99_factor}}},
          {"held_rate", r.held_rate},
          {"failed_rate", r.failed_rate},
          {"stop", SearchStopName(r.stop)},
          {"seconds", r.seconds},
          {"steps", steps}};
}

// One phase's block of the summary.
void PhaseText(const PhaseResult& p, const std::function<void(const std::string&)>& line) {
  const auto& l = p.ledger;
  line("");
  line("== " + p.name + " (" + p.path + ", " +
       (p.target_rate > 0 ? Fmt("%.0f leads/s offered", p.target_rate) : std::string("flat out")) +
       ", " + Fmt("%.1f s", p.wall_seconds) + (p.drained ? "" : ", NOT DRAINED") + ")");
  line("  sent " + std::to_string(l.sent) + ", throughput " + Fmt("%.0f", l.throughput_per_s) +
       " leads/s (offered " + Fmt("%.0f", l.offered_per_s) + "/s)");
  line("  latency ms: p50 " + Fmt("%.2f", l.latency.p50_ms) + "  p95 " +
       Fmt("%.2f", l.latency.p95_ms) + "  p99 " + Fmt("%.2f", l.latency.p99_ms) + "  max " +
       Fmt("%.2f", l.latency.max_ms));
  if (l.intake_hop.count > 0) {
    line("  per hop p50/p99 ms: intake " + Fmt("%.2f", l.intake_hop.p50_ms) + "/" +
         Fmt("%.2f", l.intake_hop.p99_ms) + "  scoring " + Fmt("%.2f", l.scoring_hop.p50_ms) + "/" +
         Fmt("%.2f", l.scoring_hop.p99_ms) + "  routing " + Fmt("%.2f", l.routing_hop.p50_ms) +
         "/" + Fmt("%.2f", l.routing_hop.p99_ms));
  }
  std::string oc;
  for (int i = 0; i < kOutcomeCount; ++i) {
    if (!l.by_outcome[i]) continue;
    oc += std::string(oc.empty() ? "" : ", ") + OutcomeName(static_cast<Outcome>(i)) + " " +
          std::to_string(l.by_outcome[i]);
  }
  line("  outcomes: " + oc);
  line(std::string("  correctness: ") + (l.Correct() ? "OK" : "FAILED") + " (exactly once " +
       std::to_string(l.accounted_once) + ", missing " + std::to_string(l.missing) +
       ", duplicated " + std::to_string(l.duplicated) + ", invalid " +
       std::to_string(l.expected_invalid) + " of which not rejected " +
       std::to_string(l.invalid_not_rejected) + ", valid but rejected " +
       std::to_string(l.valid_rejected) + ")");
  if (!p.redis_calls_per_lead.empty()) {
    double total = 0;
    std::string each;
    for (const auto& [cmd, n] : p.redis_calls_per_lead) {
      total += n;
      each += " " + cmd + " " + Fmt("%.2f", n);
    }
    line("  redis commands per lead: " + Fmt("%.2f", total) + " (" + each.substr(1) + ")");
  }
  if (!p.redis_usec_per_lead.empty()) {
    // Scripts' inner commands are counted twice (in evalsha and under their own names), so the
    // execution total is evalsha plus the commands no script calls; printed as given.
    std::string each;
    for (const auto& [cmd, us] : p.redis_usec_per_lead) each += " " + cmd + " " + Fmt("%.1f", us);
    line("  redis execution us per lead (evalsha includes its scripts' calls):" + each);
  }
  for (const auto& u : p.processes) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "  %-14s cpu %6.2f s (%4.2f cores)  rss max %6.1f MB  end %6.1f MB",
                  u.name.c_str(), u.cpu_seconds, u.cpu_cores, u.rss_max_mb, u.rss_end_mb);
    line(buf);
  }
}

// The rate search: the rate held with its p99 ratio, next to flat-out
// throughput and its ratio, then one line per step.
void SearchText(const RateSearchResult& r, const Verdict& v,
                const std::function<void(const std::string&)>& line) {
  const auto& st = r.settings;
  line("");
  line("== rate-search (pipeline p99 within " + Fmt("%.1f", st.p99_factor) +
       "x the passthrough's p99 at the same offered rate; per phase " +
       Fmt("%.0f s warm-up + ", st.warmup_seconds) + Fmt("%.0f s measured)", st.window_seconds));
  line("  rate held within " + Fmt("%.1f", st.p99_factor) +
       "x passthrough p99: " + Fmt("%.0f leads/s", r.held_rate) +
       (r.held_rate > 0 ? Fmt(" (p99 ratio %.2f there)", v.held_p99_ratio) : std::string()) +
       (r.failed_rate > 0 ? Fmt("; lowest rate failed %.0f leads/s", r.failed_rate)
                          : std::string()));
  if (v.have_throughput) {
    line("  flat out, same run: pipeline " + Fmt("%.0f", v.pipeline_throughput) +
         " / passthrough " + Fmt("%.0f", v.passthrough_throughput) + " leads/s = ratio " +
         Fmt("%.3f", v.throughput_ratio));
  }
  line("  " + std::to_string(r.steps.size()) + " steps in " + Fmt("%.0f s", r.seconds) +
       ", stopped: " + SearchStopName(r.stop));
  line(
      "   rate/s  passthrough p99 ms  pipeline p99 ms   ratio   pipeline out/s  redis us/lead  "
      "pipeline p99 by third ms  verdict");
  for (const auto& s : r.steps) {
    char buf[240];
    std::snprintf(buf, sizeof buf, "  %7.0f  %18.1f  %15.1f  %6.2f  %15.0f  %13.1f  %24s  %s",
                  s.rate, s.passthrough.ledger.latency.p99_ms, s.pipeline.ledger.latency.p99_ms,
                  s.judgement.p99_ratio, s.pipeline.ledger.throughput_per_s,
                  CpuUsecPerLead(s.pipeline, "redis"), P99ByThird(s.pipeline.ledger).c_str(),
                  s.judgement.leads_lost     ? "LEADS LOST"
                  : s.judgement.held         ? "held"
                  : s.pipeline.stopped_early ? "failed (stopped early)"
                                             : "failed");
    line(buf);
    if (s.judgement.leads_lost || s.judgement.p99_ratio == 0) line("           " + s.judgement.why);
  }
}

// Issue 21's "Done when", each from this run.
void TargetsText(const RunReport& report, const Verdict& v,
                 const std::function<void(const std::string&)>& line) {
  const auto& t = report.targets;
  auto mark = [](bool met) { return met ? "MET" : "MISSED"; };
  line("");
  line("== against the targets (issue 21; each a ratio to this run's passthrough)");
  if (v.have_search) {
    line("  rate held within " + Fmt("%.1f", t.max_p99_ratio) +
         "x passthrough p99: " + Fmt("%.0f", v.held_rate) +
         " leads/s (target >= " + Fmt("%.0f", t.min_held_rate) + "): " + mark(v.held_met));
  } else {
    line("  rate held: not judged (the rate-search phase did not run)");
  }
  if (v.have_latency) {
    line("  p99 at " + Fmt("%.0f", t.rate_for_latency) +
         " leads/s: " + Fmt("%.2f", v.p99_at_rate_ms) + " ms vs passthrough " +
         Fmt("%.2f", v.passthrough_p99_at_rate_ms) + " ms = " + Fmt("%.2fx", v.p99_ratio_at_rate) +
         " (target <= " + Fmt("%.2fx", t.max_p99_ratio) + "): " +
         (v.passthrough_p99_at_rate_ms > 0 ? mark(v.latency_met)
                                           : "not judged (no passthrough at that rate)"));
  }
  if (v.have_throughput) {
    line("  flat-out throughput: pipeline " + Fmt("%.0f", v.pipeline_throughput) +
         " / passthrough " + Fmt("%.0f", v.passthrough_throughput) + " leads/s = ratio " +
         Fmt("%.3f", v.throughput_ratio) + " (target >= " + Fmt("%.2f", t.min_throughput_ratio) +
         "): " + mark(v.throughput_met));
  }
  if (v.have_latency && v.have_redis) {
    line("  Redis CPU per lead at " + Fmt("%.0f", t.rate_for_latency) +
         " leads/s: " + Fmt("%.1f us", v.redis_us_per_lead) +
         (v.redis_us_per_lead_target > 0
              ? " (target <= " + Fmt("%.1f us", v.redis_us_per_lead_target) +
                    ", half of the baseline " + Fmt("%.1f us", t.redis_us_per_lead_baseline) +
                    "): " + mark(v.redis_met)
              : std::string(" (target: half of a baseline): not judged (no baseline)")));
  }
  if (v.have_latency) {
    line("  memory at " + Fmt("%.0f", t.rate_for_latency) + " leads/s: max service RSS " +
         Fmt("%.1f", v.max_service_rss_mb) + " MB (target < " + Fmt("%.0f", t.max_rss_mb) +
         " MB): " + mark(v.memory_met));
  }
  for (const auto& p : report.phases) {
    if (p.name != "pipeline-low-rate") continue;
    line("  (latency at " + Fmt("%.0f", p.target_rate) + " leads/s, below saturation: p50 " +
         Fmt("%.2f", p.ledger.latency.p50_ms) + " ms, p99 " + Fmt("%.2f", p.ledger.latency.p99_ms) +
         " ms)");
  }
  line(std::string("  correctness (every lead exactly once, in every phase and search step): ") +
       mark(v.correctness_met));
}

}  // namespace

std::string P99ByThird(const LedgerSummary& l) {
  if (l.latency.count == 0) return "-";
  const auto& t = l.latency_by_third;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f / %.0f / %.0f", t[0].p99_ms, t[1].p99_ms, t[2].p99_ms);
  return buf;
}

void NameMedianRun(std::vector<PhaseResult>& runs, const std::string& name) {
  std::vector<size_t> order(runs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return runs[a].ledger.throughput_per_s < runs[b].ledger.throughput_per_s;
  });
  const size_t median = order.empty() ? 0 : order[(order.size() - 1) / 2];
  for (size_t i = 0; i < runs.size(); ++i) {
    runs[i].name = i == median ? name : name + "-run" + std::to_string(i + 1);
  }
}

Verdict Judge(const RunReport& report) {
  Verdict v;
  const auto& t = report.targets;
  const auto* pf = Find(report, "pipeline-flat-out");
  const auto* bf = Find(report, "passthrough-flat-out");
  const auto* pr = Find(report, "pipeline-rate");
  const auto* br = Find(report, "passthrough-rate");
  if (pf && bf) {
    v.have_throughput = true;
    v.pipeline_throughput = pf->ledger.throughput_per_s;
    v.passthrough_throughput = bf->ledger.throughput_per_s;
    v.throughput_ratio =
        v.passthrough_throughput > 0 ? v.pipeline_throughput / v.passthrough_throughput : 0;
    v.throughput_met = v.throughput_ratio >= t.min_throughput_ratio;
  }
  if (br) v.passthrough_p99_at_rate_ms = br->ledger.latency.p99_ms;
  if (pr) {
    v.have_latency = true;
    v.p99_at_rate_ms = pr->ledger.latency.p99_ms;
    if (v.passthrough_p99_at_rate_ms > 0) {
      v.p99_ratio_at_rate = v.p99_at_rate_ms / v.passthrough_p99_at_rate_ms;
    }
    v.latency_met =
        pr->drained && v.p99_ratio_at_rate > 0 && v.p99_ratio_at_rate <= t.max_p99_ratio;
    for (const auto& p : pr->processes) {
      if (IsService(p.name)) v.max_service_rss_mb = std::max(v.max_service_rss_mb, p.rss_max_mb);
      if (p.name == "redis") v.have_redis = true;
    }
    v.memory_met = v.max_service_rss_mb > 0 && v.max_service_rss_mb < t.max_rss_mb;
    v.redis_us_per_lead = CpuUsecPerLead(*pr, "redis");
    v.redis_us_per_lead_target = t.redis_us_per_lead_baseline / 2;
    v.redis_met = v.have_redis && v.redis_us_per_lead_target > 0 &&
                  v.redis_us_per_lead <= v.redis_us_per_lead_target;
  }
  v.correctness_met = !report.phases.empty() || report.search.has_value();
  for (const auto& p : report.phases) {
    if (!p.ledger.Correct()) v.correctness_met = false;
  }
  if (const auto& s = report.search) {
    v.have_search = true;
    v.held_rate = s->held_rate;
    if (const auto* step = s->Step(s->held_rate)) v.held_p99_ratio = step->judgement.p99_ratio;
    v.held_met = v.held_rate >= t.min_held_rate;
    if (s->stop == SearchStop::kLeadsLost) v.correctness_met = false;
    for (const auto& step : s->steps) {
      if (step.judgement.leads_lost) v.correctness_met = false;
    }
  }
  return v;
}

nlohmann::ordered_json ToJson(const RunReport& report) {
  nlohmann::ordered_json j;
  const auto& t = report.targets;
  j["started_at"] = report.started_at;
  j["machine"] = report.machine;
  j["seed"] = report.seed;
  j["targets"] = {{"min_held_rate", t.min_held_rate},
                  {"max_p99_ratio", t.max_p99_ratio},
                  {"rate_for_latency", t.rate_for_latency},
                  {"min_throughput_ratio", t.min_throughput_ratio},
                  {"redis_us_per_lead_baseline", t.redis_us_per_lead_baseline},
                  {"max_rss_mb_per_service", t.max_rss_mb}};
  auto& phases = j["phases"] = nlohmann::ordered_json::array();
  for (const auto& p : report.phases) phases.push_back(PhaseJson(p));
  if (report.search) j["rate_search"] = SearchJson(*report.search);
  const Verdict v = Judge(report);
  j["verdict"] = {{"held_rate", v.held_rate},
                  {"held_p99_ratio", v.held_p99_ratio},
                  {"held_met", v.held_met},
                  {"p99_ms_at_rate", v.p99_at_rate_ms},
                  {"passthrough_p99_ms_at_rate", v.passthrough_p99_at_rate_ms},
                  {"p99_ratio_at_rate", v.p99_ratio_at_rate},
                  {"latency_met", v.latency_met},
                  {"pipeline_throughput_per_s", v.pipeline_throughput},
                  {"passthrough_throughput_per_s", v.passthrough_throughput},
                  {"throughput_ratio", v.throughput_ratio},
                  {"throughput_met", v.throughput_met},
                  {"redis_us_per_lead_at_rate", v.redis_us_per_lead},
                  {"redis_us_per_lead_target", v.redis_us_per_lead_target},
                  {"redis_met", v.redis_met},
                  {"max_service_rss_mb", v.max_service_rss_mb},
                  {"memory_met", v.memory_met},
                  {"correctness_met", v.correctness_met}};
  return j;
}

std::string ToText(const RunReport& report) {
  std::string out;
  auto line = [&](const std::string& s) { out += s + "\n"; };
  line("leadflow bench, " + report.started_at + ", seed " + std::to_string(report.seed));
  line("machine: " + report.machine);
  for (const auto& p : report.phases) PhaseText(p, line);
  const Verdict v = Judge(report);
  if (report.search) SearchText(*report.search, v, line);
  TargetsText(report, v, line);
  return out;
}

}  // namespace leadflow::bench
