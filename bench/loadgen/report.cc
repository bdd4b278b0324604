#include "report.h"

#include <algorithm>
#include <cstdio>

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

}  // namespace

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
    v.throughput_met = v.throughput_ratio >= report.targets.min_throughput_ratio;
  }
  if (pr) {
    v.have_latency = true;
    v.p99_at_rate_ms = pr->ledger.latency.p99_ms;
    v.latency_met = pr->drained && v.p99_at_rate_ms < report.targets.max_p99_ms_at_rate;
    for (const auto& p : pr->processes) {
      if (IsService(p.name)) v.max_service_rss_mb = std::max(v.max_service_rss_mb, p.rss_max_mb);
    }
    v.memory_met = v.max_service_rss_mb > 0 && v.max_service_rss_mb < report.targets.max_rss_mb;
  }
  if (br) v.passthrough_p99_at_rate_ms = br->ledger.latency.p99_ms;
  v.correctness_met = !report.phases.empty();
  for (const auto& p : report.phases) {
    if (!p.ledger.Correct()) v.correctness_met = false;
  }
  return v;
}

nlohmann::ordered_json ToJson(const RunReport& report) {
  nlohmann::ordered_json j;
  j["started_at"] = report.started_at;
  j["machine"] = report.machine;
  j["seed"] = report.seed;
  j["targets"] = {{"min_throughput_ratio", report.targets.min_throughput_ratio},
                  {"max_p99_ms_at_rate", report.targets.max_p99_ms_at_rate},
                  {"rate_for_latency", report.targets.rate_for_latency},
                  {"max_rss_mb_per_service", report.targets.max_rss_mb}};
  auto& phases = j["phases"] = nlohmann::ordered_json::array();
  for (const auto& p : report.phases) {
    const auto& l = p.ledger;
    nlohmann::ordered_json outcomes;
    for (int i = 0; i < kOutcomeCount; ++i) {
      if (l.by_outcome[i]) outcomes[OutcomeName(static_cast<Outcome>(i))] = l.by_outcome[i];
    }
    nlohmann::ordered_json procs = nlohmann::ordered_json::array();
    for (const auto& u : p.processes) {
      procs.push_back({{"name", u.name},
                       {"cpu_seconds", u.cpu_seconds},
                       {"cpu_cores", u.cpu_cores},
                       {"rss_max_mb", u.rss_max_mb},
                       {"rss_end_mb", u.rss_end_mb}});
    }
    phases.push_back({{"name", p.name},
                      {"path", p.path},
                      {"target_rate", p.target_rate},
                      {"wall_seconds", p.wall_seconds},
                      {"drained", p.drained},
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
                      {"redis_usec_per_lead", p.redis_usec_per_lead}});
  }
  const Verdict v = Judge(report);
  j["verdict"] = {{"pipeline_throughput_per_s", v.pipeline_throughput},
                  {"passthrough_throughput_per_s", v.passthrough_throughput},
                  {"throughput_ratio", v.throughput_ratio},
                  {"throughput_met", v.throughput_met},
                  {"p99_ms_at_rate", v.p99_at_rate_ms},
                  {"passthrough_p99_ms_at_rate", v.passthrough_p99_at_rate_ms},
                  {"latency_met", v.latency_met},
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
  for (const auto& p : report.phases) {
    const auto& l = p.ledger;
    line("");
    line(
        "== " + p.name + " (" + p.path + ", " +
        (p.target_rate > 0 ? Fmt("%.0f leads/s offered", p.target_rate) : std::string("flat out")) +
        ", " + Fmt("%.1f s", p.wall_seconds) + (p.drained ? "" : ", NOT DRAINED") + ")");
    line("  sent " + std::to_string(l.sent) + ", throughput " + Fmt("%.0f", l.throughput_per_s) +
         " leads/s (offered " + Fmt("%.0f", l.offered_per_s) + "/s)");
    line("  latency ms: p50 " + Fmt("%.2f", l.latency.p50_ms) + "  p95 " +
         Fmt("%.2f", l.latency.p95_ms) + "  p99 " + Fmt("%.2f", l.latency.p99_ms) + "  max " +
         Fmt("%.2f", l.latency.max_ms));
    if (l.intake_hop.count > 0) {
      line("  per hop p50/p99 ms: intake " + Fmt("%.2f", l.intake_hop.p50_ms) + "/" +
           Fmt("%.2f", l.intake_hop.p99_ms) + "  scoring " + Fmt("%.2f", l.scoring_hop.p50_ms) +
           "/" + Fmt("%.2f", l.scoring_hop.p99_ms) + "  routing " +
           Fmt("%.2f", l.routing_hop.p50_ms) + "/" + Fmt("%.2f", l.routing_hop.p99_ms));
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
  const Verdict v = Judge(report);
  const auto& t = report.targets;
  auto mark = [](bool met) { return met ? "MET" : "MISSED"; };
  line("");
  line("== against the targets");
  if (v.have_throughput) {
    line("  throughput: pipeline " + Fmt("%.0f", v.pipeline_throughput) + " / passthrough " +
         Fmt("%.0f", v.passthrough_throughput) + " leads/s = ratio " +
         Fmt("%.2f", v.throughput_ratio) + " (target >= " + Fmt("%.2f", t.min_throughput_ratio) +
         "): " + mark(v.throughput_met));
  }
  if (v.have_latency) {
    line("  latency at " + Fmt("%.0f", t.rate_for_latency) + " leads/s: p99 " +
         Fmt("%.2f", v.p99_at_rate_ms) + " ms (passthrough " +
         Fmt("%.2f", v.passthrough_p99_at_rate_ms) + " ms; target < " +
         Fmt("%.0f", t.max_p99_ms_at_rate) + " ms): " + mark(v.latency_met));
    line("  memory at that rate: max service RSS " + Fmt("%.1f", v.max_service_rss_mb) +
         " MB (target < " + Fmt("%.0f", t.max_rss_mb) + " MB): " + mark(v.memory_met));
  }
  for (const auto& p : report.phases) {
    if (p.name != "pipeline-low-rate") continue;
    line("  (latency at " + Fmt("%.0f", p.target_rate) + " leads/s, below saturation: p50 " +
         Fmt("%.2f", p.ledger.latency.p50_ms) + " ms, p99 " + Fmt("%.2f", p.ledger.latency.p99_ms) +
         " ms)");
  }
  line(std::string("  correctness (every lead exactly once, in every phase): ") +
       (v.correctness_met ? "MET" : "MISSED"));
  return out;
}

}  // namespace leadflow::bench
