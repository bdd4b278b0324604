#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "classify.h"
#include "common/kafka/topics.h"
#include "latency_stats.h"
#include "lead_generator.h"
#include "leadflow/common/v1/dead_letter.pb.h"
#include "ledger.h"
#include "proc_stats.h"
#include "rate_search.h"
#include "redis_stats.h"
#include "report.h"

namespace leadflow::bench {
namespace {

GeneratorOptions Opts(uint64_t seed) {
  GeneratorOptions o;
  o.seed = seed;
  o.run_tag = "t";
  o.customers = {{"vtb.ru", "7702070139", "ВТБ"}, {"mts.ru", "", "МТС"}};
  return o;
}

TEST(LeadGeneratorTest, SameSeedSameBytesInAnyOrder) {
  LeadGenerator a(Opts(7)), b(Opts(7)), c(Opts(8));
  const auto late = a.Generate(999);
  EXPECT_EQ(a.Generate(3).payload, b.Generate(3).payload);
  EXPECT_EQ(late.payload, b.Generate(999).payload);
  int differ = 0;
  for (int i = 0; i < 50; ++i) differ += a.Generate(i).payload != c.Generate(i).payload;
  EXPECT_GT(differ, 40);
}

TEST(LeadGeneratorTest, MixMatchesTheOptions) {
  LeadGenerator g(Opts(1));
  std::map<LeadKind, int> kinds;
  std::set<std::string> emails;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    auto lead = g.Generate(i);
    ++kinds[lead.kind];
    emails.insert(lead.key);
    if (lead.kind == LeadKind::kMalformedJson) {
      EXPECT_TRUE(nlohmann::json::parse(lead.payload, nullptr, false).is_discarded());
      continue;
    }
    auto j = nlohmann::json::parse(lead.payload);
    EXPECT_EQ(j["source_id"], "web-form-main");
    EXPECT_EQ(j["consent"], lead.kind != LeadKind::kMissingConsent);
    EXPECT_EQ(j.contains("favourite_colour"), lead.kind == LeadKind::kUnknownField);
    const std::string email = j["email"];
    EXPECT_EQ(email.find('@') == std::string::npos, lead.kind == LeadKind::kInvalidEmail);
    if (lead.kind == LeadKind::kCustomer) {
      EXPECT_TRUE(email.ends_with("@vtb.ru") || email.ends_with("@mts.ru")) << email;
    }
    if (lead.kind == LeadKind::kEnterprise) {
      EXPECT_GE(j["annual_revenue_rub"].get<int64_t>(), 40'000'000'000LL);
      EXPECT_GE(j["it_budget_rub"].get<int64_t>(), 2'500'000'000LL);
    }
  }
  EXPECT_EQ(emails.size(), static_cast<size_t>(n));  // nothing dedupes
  int invalid = 0;
  for (auto& [k, v] : kinds) invalid += IsInvalid(k) ? v : 0;
  EXPECT_NEAR(invalid / double(n), 0.05, 0.01);
  EXPECT_NEAR(kinds[LeadKind::kCustomer] / double(n), 0.15, 0.015);
  for (int k = 0; k < kLeadKindCount; ++k) EXPECT_GT(kinds[static_cast<LeadKind>(k)], 0) << k;
}

TEST(LeadGeneratorTest, NoCustomersMeansOnlyProspects) {
  GeneratorOptions o = Opts(3);
  o.customers.clear();
  LeadGenerator g(o);
  for (int i = 0; i < 2000; ++i) EXPECT_NE(g.Generate(i).kind, LeadKind::kCustomer);
}

TEST(LeadGeneratorTest, CustomersFromRegistryTakeCustomersOnly) {
  const std::string text =
      R"({"account_key":"1","relationship":"CUSTOMER","name":"A","domains":["a.ru","a.com"],"inn":"7702070139"})"
      "\n# comment\n"
      R"({"account_key":"2","relationship":"PROSPECT","name":"B","domains":["b.ru"]})"
      "\nnot json\n"
      R"({"account_key":"3","relationship":"CUSTOMER","name":"C","domains":[]})"
      "\n";
  auto c = CustomersFromRegistryJsonl(text);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].domain, "a.ru");
  EXPECT_EQ(c[0].inn, "7702070139");
  EXPECT_EQ(c[0].name, "A");
}

TEST(LatencyStatsTest, NearestRankPercentiles) {
  std::vector<int64_t> v;
  for (int i = 100; i >= 1; --i) v.push_back(i * 1'000'000LL);  // 1..100 ms, unsorted
  auto s = Summarize(v);
  EXPECT_EQ(s.count, 100u);
  EXPECT_DOUBLE_EQ(s.p50_ms, 50);
  EXPECT_DOUBLE_EQ(s.p95_ms, 95);
  EXPECT_DOUBLE_EQ(s.p99_ms, 99);
  EXPECT_DOUBLE_EQ(s.max_ms, 100);
  EXPECT_DOUBLE_EQ(s.mean_ms, 50.5);
  std::vector<int64_t> one = {7};
  EXPECT_EQ(NearestRank(one, 0), 7);
  EXPECT_EQ(NearestRank(one, 100), 7);
  std::vector<int64_t> none;
  EXPECT_EQ(Summarize(none).count, 0u);
  EXPECT_EQ(NearestRank(none, 50), 0);
}

TEST(LatencyStatsTest, Throughput) {
  EXPECT_DOUBLE_EQ(Throughput(1000, 0, 500'000'000), 2000);
  EXPECT_EQ(Throughput(10, 5, 5), 0);
  EXPECT_EQ(Throughput(0, 0, 10), 0);
}

TEST(ProcStatsTest, ParsesStatWithAwkwardCommandName) {
  const std::string stat =
      "1234 (leadflow (x) y) S 1 1234 1234 0 -1 4194560 500 0 0 0 250 75 0 0 20 0 9 0 100 "
      "1000 200 18446744073709551615";
  EXPECT_EQ(ParseStatCpuTicks(stat), 325);
  EXPECT_FALSE(ParseStatCpuTicks("1234 (x) S 1 2"));
  EXPECT_FALSE(ParseStatCpuTicks("garbage"));
}

TEST(ProcStatsTest, ParsesStatusKb) {
  const std::string status = "Name:\tleadflow-intake\nVmHWM:\t   51200 kB\nVmRSS:\t   40960 kB\n";
  EXPECT_EQ(ParseStatusKb(status, "VmRSS"), 40960);
  EXPECT_EQ(ParseStatusKb(status, "VmHWM"), 51200);
  EXPECT_FALSE(ParseStatusKb(status, "VmSwap"));
}

TEST(ProcStatsTest, ReadsItsOwnProcess) {
  auto s = ReadProcSample(getpid());
  ASSERT_TRUE(s);
  EXPECT_GT(s->rss_kb, 0);
  EXPECT_GE(s->hwm_kb, s->rss_kb);
}

TEST(LedgerTest, TraceIds) {
  EXPECT_EQ(TraceId("b1p2", 17), "b1p2-17");
  EXPECT_EQ(ParseTraceId("b1p2", "b1p2-17"), 17u);
  EXPECT_FALSE(ParseTraceId("b1p2", "b1p3-17"));
  EXPECT_FALSE(ParseTraceId("b1p2", "b1p2-"));
  EXPECT_FALSE(ParseTraceId("b1p2", "b1p2-1x"));
  EXPECT_FALSE(ParseTraceId("b1p", "b1p2-1"));
  EXPECT_NE(PayloadHash("a"), PayloadHash("b"));
}

TEST(LedgerTest, AccountsEveryLeadExactlyOnce) {
  Ledger l(5);
  for (uint32_t i = 0; i < 5; ++i) l.Sent(i, 1000 * i, i == 4, 100 + i);
  l.Received(0, Outcome::kAssigned, 2'000'000);
  l.Received(1, Outcome::kNurture, 3'001'000);
  l.Received(2, Outcome::kCustomerInbound, 4'002'000);
  ASSERT_EQ(l.LookupPayload(104), 4u);
  l.Received(4, Outcome::kRejected, 5'004'000);
  EXPECT_FALSE(l.LookupPayload(999));
  auto s = l.Summarize();
  EXPECT_EQ(s.sent, 5u);
  EXPECT_EQ(s.accounted_once, 4u);
  EXPECT_EQ(s.missing, 1u);
  EXPECT_FALSE(s.Correct());
  l.Received(3, Outcome::kDisqualified, 6'000'000);
  s = l.Summarize();
  EXPECT_TRUE(s.Correct());
  EXPECT_EQ(s.latency.count, 5u);
  EXPECT_NEAR(s.latency.max_ms, 5.997, 1e-9);
  EXPECT_EQ(s.by_outcome[static_cast<int>(Outcome::kDisqualified)], 1u);
  EXPECT_EQ(s.expected_invalid, 1u);
}

TEST(LedgerTest, FlagsDuplicatesStrangersAndWrongVerdicts) {
  Ledger l(3);
  l.Sent(0, 0, false, 1);
  l.Sent(1, 0, true, 2);
  l.Sent(2, 0, false, 3);
  l.Received(0, Outcome::kAssigned, 10);
  l.Received(0, Outcome::kAssigned, 20);  // duplicate
  l.Received(1, Outcome::kNurture, 10);   // invalid lead not rejected
  l.Received(2, Outcome::kRejected, 10);  // valid lead rejected
  l.Received(7, Outcome::kAssigned, 10);  // never sent
  auto s = l.Summarize();
  EXPECT_EQ(s.duplicated, 1u);
  EXPECT_EQ(s.invalid_not_rejected, 1u);
  EXPECT_EQ(s.valid_rejected, 1u);
  EXPECT_EQ(s.unmatched_outputs, 1u);
  EXPECT_EQ(s.by_outcome[static_cast<int>(Outcome::kAssigned)], 1u);
  EXPECT_FALSE(s.Correct());
}

TEST(LedgerTest, SplitsLatencyPerHop) {
  Ledger l(2);
  l.Sent(0, 0, false, 1);
  l.Sent(1, 0, false, 2);
  l.Intermediate(0, 0, 1'000'000);
  l.Intermediate(0, 0, 9'000'000);  // a redelivery: the first sighting counts
  l.Intermediate(0, 1, 3'000'000);
  l.Received(0, Outcome::kAssigned, 6'000'000);
  l.Received(1, Outcome::kNurture, 6'000'000);  // never seen in between: no split
  l.Intermediate(5, 0, 1);                      // out of range: ignored
  auto s = l.Summarize();
  ASSERT_EQ(s.intake_hop.count, 1u);
  EXPECT_DOUBLE_EQ(s.intake_hop.p50_ms, 1);
  EXPECT_DOUBLE_EQ(s.scoring_hop.p50_ms, 2);
  EXPECT_DOUBLE_EQ(s.routing_hop.p50_ms, 3);
  EXPECT_EQ(s.latency.count, 2u);
}

TEST(RedisStatsTest, CommandStatsAndCallsPerLead) {
  const std::string before =
      "# Commandstats\r\ncmdstat_set:calls=10,usec=30,usec_per_call=3.00,rejected_calls=0\r\n"
      "cmdstat_evalsha:calls=4,usec=40,usec_per_call=10.00\r\nnot a stat\r\n";
  const std::string after =
      "cmdstat_set:calls=30,usec=90,usec_per_call=3.00\r\ncmdstat_evalsha:calls=4,usec=40\r\n"
      "cmdstat_get:calls=5,usec=5\r\n";
  auto b = ParseCommandStats(before);
  EXPECT_EQ(b.size(), 2u);
  EXPECT_EQ(b["set"].calls, 10);
  EXPECT_EQ(b["set"].usec, 30);
  EXPECT_EQ(b["evalsha"].calls, 4);
  EXPECT_EQ(b["evalsha"].usec, 40);
  const auto a = ParseCommandStats(after);
  auto per = CallsPerLead(b, a, 10);
  EXPECT_EQ(per.size(), 2u);  // evalsha unchanged: left out
  EXPECT_DOUBLE_EQ(per["set"], 2.0);
  EXPECT_DOUBLE_EQ(per["get"], 0.5);
  EXPECT_TRUE(CallsPerLead(b, b, 0).empty());
  auto us = UsecPerLead(b, a, 10);
  EXPECT_EQ(us.size(), 2u);
  EXPECT_DOUBLE_EQ(us["set"], 6.0);
  EXPECT_DOUBLE_EQ(us["get"], 0.5);
}

kafka::ConsumedMessage Record(const std::string& topic, const std::string& payload,
                              const std::string& trace = "") {
  kafka::ConsumedMessage m;
  m.topic = topic;
  m.payload = payload;
  if (!trace.empty()) m.headers.push_back({topics::kTraceHeader, trace});
  return m;
}

TEST(ClassifyTest, DecisionsByTraceHeader) {
  Ledger l(10);
  EXPECT_EQ(Classify(Record(topics::kLeadsAssigned, "x", "t1-3"), "t1", l).seq, 3u);
  EXPECT_EQ(Classify(Record(topics::kLeadsNurture, "x", "t1-4"), "t1", l).outcome,
            Outcome::kNurture);
  EXPECT_EQ(Classify(Record(topics::kAccountsInbound, "x", "t1-5"), "t1", l).outcome,
            Outcome::kCustomerInbound);
  EXPECT_EQ(Classify(Record("bench.hop3", "x", "t1-6"), "t1", l).outcome, Outcome::kPassthrough);
  auto hop = Classify(Record(topics::kLeadsScored, "x", "t1-7"), "t1", l);
  EXPECT_EQ(hop.hop, 1);
  EXPECT_EQ(hop.seq, 7u);
  EXPECT_FALSE(Classify(Record(topics::kLeadsAssigned, "x", "t0-3"), "t1", l).seq);  // other phase
  EXPECT_FALSE(Classify(Record(topics::kLeadsAssigned, "x"), "t1", l).seq);          // no header
}

TEST(ClassifyTest, RejectionsByHeaderMetaOrOriginalBytes) {
  Ledger l(10);
  l.Sent(2, 0, true, PayloadHash("{bad json"));
  leadflow::common::v1::LeadRejected r;
  r.set_stage(leadflow::common::v1::INTAKE);
  r.set_original("{bad json");
  auto c = Classify(Record(topics::kLeadsRejected, r.SerializeAsString()), "t1", l);
  EXPECT_EQ(c.seq, 2u);
  EXPECT_EQ(c.outcome, Outcome::kRejected);

  r.set_original("{never sent");
  EXPECT_FALSE(Classify(Record(topics::kLeadsRejected, r.SerializeAsString()), "t1", l).seq);

  r.set_stage(leadflow::common::v1::ROUTING);
  r.set_disqualified(true);
  r.mutable_meta()->set_trace_id("t1-8");
  c = Classify(Record(topics::kLeadsRejected, r.SerializeAsString()), "t1", l);
  EXPECT_EQ(c.seq, 8u);
  EXPECT_EQ(c.outcome, Outcome::kDisqualified);

  r.set_stage(leadflow::common::v1::NURTURE);  // a nurture dead letter is not an outcome
  EXPECT_FALSE(
      Classify(Record(topics::kLeadsRejected, r.SerializeAsString(), "t1-8"), "t1", l).seq);
  EXPECT_FALSE(Classify(Record(topics::kLeadsRejected, "\xff\xff"), "t1", l).seq);
}

PhaseResult Phase(const std::string& name, double throughput, double p99, double rss) {
  PhaseResult p;
  p.name = name;
  p.path = name.substr(0, name.find('-'));
  p.ledger.sent = 10;
  p.ledger.accounted_once = 10;
  p.ledger.throughput_per_s = throughput;
  p.ledger.latency.p99_ms = p99;
  p.processes.push_back({"intake", 1, 0.5, rss, rss});
  p.processes.push_back({"loadgen", 1, 0.5, 500, 500});  // not a service: no memory target
  p.redis_calls_per_lead = {{"set", 1.5}, {"get", 0.5}};
  p.redis_usec_per_lead = {{"set", 3}, {"evalsha", 12.5}};
  return p;
}

TEST(ReportTest, JudgesAgainstTheTargets) {
  RunReport r;
  r.started_at = "2026-11-23T06:00:00Z";
  r.machine = "test";
  r.phases = {Phase("passthrough-flat-out", 10000, 5, 10), Phase("pipeline-flat-out", 6000, 30, 60),
              Phase("passthrough-rate", 2000, 40, 10), Phase("pipeline-rate", 2000, 60, 60)};
  r.phases[3].processes.push_back({"redis", 2.0, 0.2, 10, 10});  // 2 s over 10 leads
  auto v = Judge(r);
  EXPECT_DOUBLE_EQ(v.throughput_ratio, 0.6);
  EXPECT_TRUE(v.throughput_met);
  EXPECT_DOUBLE_EQ(v.p99_ratio_at_rate, 1.5);
  EXPECT_TRUE(v.latency_met);  // at most 1.5x
  EXPECT_DOUBLE_EQ(v.max_service_rss_mb, 60);
  EXPECT_TRUE(v.memory_met);
  EXPECT_TRUE(v.correctness_met);
  EXPECT_DOUBLE_EQ(v.redis_us_per_lead, 200000);
  EXPECT_FALSE(v.redis_met);  // no baseline: not judged
  EXPECT_FALSE(v.have_search);
  std::string text = ToText(r);
  EXPECT_NE(text.find("Redis CPU per lead at 2000 leads/s: 200000.0 us (target: half of a "
                      "baseline): not judged (no baseline)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rate held: not judged"), std::string::npos) << text;

  r.targets.redis_us_per_lead_baseline = 400000;
  EXPECT_TRUE(Judge(r).redis_met);
  r.targets.redis_us_per_lead_baseline = 399999;
  EXPECT_FALSE(Judge(r).redis_met);
  text = ToText(r);
  EXPECT_NE(text.find("200000.0 us (target <= 199999.5 us, half of the baseline 399999.0 us): "
                      "MISSED"),
            std::string::npos)
      << text;

  r.phases[1].ledger.throughput_per_s = 2000;
  r.phases[3].ledger.latency.p99_ms = 60.5;
  r.phases[3].processes[0].rss_max_mb = 120;
  r.phases[3].ledger.missing = 1;
  v = Judge(r);
  EXPECT_FALSE(v.throughput_met);
  EXPECT_FALSE(v.latency_met);
  EXPECT_FALSE(v.memory_met);
  EXPECT_FALSE(v.correctness_met);

  auto j = ToJson(r);
  EXPECT_EQ(j["phases"].size(), 4u);
  EXPECT_DOUBLE_EQ(j["verdict"]["throughput_ratio"].get<double>(), 0.2);
  EXPECT_EQ(j["phases"][3]["correctness"]["missing"], 1);
  EXPECT_FALSE(j.contains("rate_search"));
  text = ToText(r);
  EXPECT_NE(text.find("ratio 0.200 (target >= 0.25): MISSED"), std::string::npos) << text;
  EXPECT_NE(text.find("p99 at 2000 leads/s: 60.50 ms vs passthrough 40.00 ms = 1.51x (target "
                      "<= 1.50x): MISSED"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("correctness: FAILED"), std::string::npos) << text;
  EXPECT_NE(text.find("redis commands per lead: 2.00 (get 0.50 set 1.50)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("calls): evalsha 12.5 set 3.0"), std::string::npos) << text;
  EXPECT_EQ(j["phases"][3]["redis_usec_per_lead"]["set"], 3);
}

TEST(ReportTest, MedianRunKeepsThePhaseName) {
  std::vector<PhaseResult> runs = {Phase("x", 300, 1, 1), Phase("x", 900, 1, 1),
                                   Phase("x", 500, 1, 1)};
  NameMedianRun(runs, "pipeline-flat-out");
  EXPECT_EQ(runs[0].name, "pipeline-flat-out-run1");
  EXPECT_EQ(runs[1].name, "pipeline-flat-out-run2");
  EXPECT_EQ(runs[2].name, "pipeline-flat-out");
  std::vector<PhaseResult> two = {Phase("x", 900, 1, 1), Phase("x", 300, 1, 1)};
  NameMedianRun(two, "p");
  EXPECT_EQ(two[1].name, "p");  // the lower median
  std::vector<PhaseResult> none;
  NameMedianRun(none, "p");
}

TEST(ReportTest, WithoutBaselineNoThroughputVerdict) {
  RunReport r;
  r.phases = {Phase("pipeline-rate", 2000, 20, 60)};
  auto v = Judge(r);
  EXPECT_FALSE(v.have_throughput);
  EXPECT_TRUE(v.have_latency);
  EXPECT_EQ(ToText(r).find("throughput: pipeline"), std::string::npos);
}

PhaseResult StepPhase(const std::string& path, double rate, double p99) {
  PhaseResult p = Phase(path + "-search", rate, p99, 10);
  p.ledger.latency.count = 10;
  p.ledger.offered_per_s = rate;
  return p;
}

SearchStep Step(double rate, double passthrough_p99, double pipeline_p99, const SearchSettings& s) {
  SearchStep step;
  step.rate = rate;
  step.passthrough = StepPhase("passthrough", rate, passthrough_p99);
  step.pipeline = StepPhase("pipeline", rate, pipeline_p99);
  step.judgement = JudgeStep(step.passthrough, step.pipeline, rate, s);
  return step;
}

// Runs a search against a pipeline that holds every rate up to `capacity`;
// returns the rates tried, in order.
std::vector<double> Search(RateSearch& search, double capacity) {
  std::vector<double> tried;
  while (auto r = search.Next(0, 20)) {
    tried.push_back(*r);
    search.Record(*r, *r <= capacity);
    if (tried.size() > 50) break;
  }
  return tried;
}

TEST(RateSearchTest, DoublesWhileHeldThenBisectsToTheResolution) {
  RateSearch search{SearchSettings{}};
  EXPECT_EQ(Search(search, 1800), (std::vector<double>{500, 1000, 2000, 1500, 1750, 1900}));
  EXPECT_EQ(search.stop(), SearchStop::kResolved);  // 1900 - 1750 <= 10 % of 1750
  EXPECT_EQ(search.held_rate(), 1750);
  EXPECT_EQ(search.failed_rate(), 1900);
  EXPECT_FALSE(search.Next(0, 1));  // over stays over
}

TEST(RateSearchTest, StopsAtTheMaximum) {
  RateSearch search{SearchSettings{}};
  EXPECT_EQ(Search(search, 1e9), (std::vector<double>{500, 1000, 2000, 4000, 8000, 16000}));
  EXPECT_EQ(search.stop(), SearchStop::kHeldAtMax);
  EXPECT_EQ(search.held_rate(), 16000);
  EXPECT_EQ(search.failed_rate(), 0);

  SearchSettings s;
  s.max = 3000;  // the last doubling is capped
  RateSearch capped{s};
  EXPECT_EQ(Search(capped, 1e9), (std::vector<double>{500, 1000, 2000, 3000}));
}

TEST(RateSearchTest, AFailedStartHalvesDownToTheFloor) {
  RateSearch none{SearchSettings{}};
  EXPECT_EQ(Search(none, 0), (std::vector<double>{500, 250, 130}));  // 70 is below the floor
  EXPECT_EQ(none.stop(), SearchStop::kNoneHeld);
  EXPECT_EQ(none.held_rate(), 0);
  EXPECT_EQ(none.failed_rate(), 130);

  RateSearch some{SearchSettings{}};
  EXPECT_EQ(Search(some, 300), (std::vector<double>{500, 250, 380, 320, 290, 310}));
  EXPECT_EQ(some.held_rate(), 290);
}

TEST(RateSearchTest, NoStepStartsPastTheBudget) {
  SearchSettings s;
  s.budget_seconds = 100;
  RateSearch search{s};
  ASSERT_EQ(search.Next(0, 30), 500);
  search.Record(500, true);
  EXPECT_EQ(search.Next(70, 30), 1000);  // ends at 100: still inside
  search.Record(1000, true);
  EXPECT_FALSE(search.Next(71, 30));
  EXPECT_EQ(search.stop(), SearchStop::kBudget);
  EXPECT_EQ(search.held_rate(), 1000);
}

TEST(RateSearchTest, AbortedSearchIsOver) {
  RateSearch search{SearchSettings{}};
  search.Abort();
  EXPECT_FALSE(search.Next(0, 1));
  EXPECT_EQ(search.stop(), SearchStop::kLeadsLost);
  EXPECT_STREQ(SearchStopName(search.stop()), "leads lost or duplicated");
}

TEST(RateSearchTest, RoundsRatesForTheTable) {
  EXPECT_EQ(RoundRate(1875), 1900);
  EXPECT_EQ(RoundRate(1860), 1850);
  EXPECT_EQ(RoundRate(375), 380);
  EXPECT_EQ(RoundRate(12000), 12000);
}

TEST(RateSearchTest, JudgesAStepAgainstThePassthroughAtThatRate) {
  const SearchSettings s;
  auto held = Step(2000, 40, 60, s);  // exactly 1.5x
  EXPECT_TRUE(held.judgement.held);
  EXPECT_DOUBLE_EQ(held.judgement.p99_ratio, 1.5);
  EXPECT_EQ(held.judgement.why, "pipeline p99 60.0 ms vs passthrough 40.0 ms: 1.50x <= 1.50x");

  auto failed = Step(2000, 40, 60.1, s);
  EXPECT_FALSE(failed.judgement.held);
  EXPECT_FALSE(failed.judgement.leads_lost);

  SearchStep stopped;
  stopped.passthrough = StepPhase("passthrough", 2000, 40);
  stopped.pipeline = StepPhase("pipeline", 2000, 50);
  stopped.pipeline.stopped_early = true;  // its p99 was certain to exceed the limit
  auto j = JudgeStep(stopped.passthrough, stopped.pipeline, 2000, s);
  EXPECT_FALSE(j.held);
  EXPECT_NE(j.why.find("stopped early"), std::string::npos) << j.why;

  auto lost = Step(2000, 40, 41, s);
  lost.pipeline.ledger.duplicated = 1;
  j = JudgeStep(lost.passthrough, lost.pipeline, 2000, s);
  EXPECT_FALSE(j.held);
  EXPECT_TRUE(j.leads_lost);
  lost.pipeline.ledger.duplicated = 0;
  lost.passthrough.ledger.missing = 1;
  EXPECT_TRUE(JudgeStep(lost.passthrough, lost.pipeline, 2000, s).leads_lost);

  auto slow = Step(2000, 40, 41, s);
  slow.passthrough.ledger.offered_per_s = 1700;  // the generator fell short: proves nothing
  j = JudgeStep(slow.passthrough, slow.pipeline, 2000, s);
  EXPECT_FALSE(j.held);
  EXPECT_EQ(j.why, "the passthrough was offered only 1700 leads/s");

  auto none = Step(2000, 0, 41, s);
  EXPECT_FALSE(none.judgement.held);
  EXPECT_EQ(none.judgement.why, "no latency measured");
}

TEST(RateSearchTest, P99IsCertainlyOverOnceMoreThanOnePercentIsLate) {
  EXPECT_FALSE(P99CertainlyOver(10, 1000));
  EXPECT_TRUE(P99CertainlyOver(11, 1000));
  EXPECT_FALSE(P99CertainlyOver(0, 50));
  EXPECT_TRUE(P99CertainlyOver(1, 50));
  EXPECT_FALSE(P99CertainlyOver(5, 0));
  // Consistent with the percentile itself: 11 of 1000 over the limit put p99 over it.
  std::vector<int64_t> v(1000, 1);
  for (int i = 0; i < 11; ++i) v[i] = 100;
  EXPECT_EQ(Summarize(v).p99_ms * 1e6, 100);
  std::vector<int64_t> w(1000, 1);
  for (int i = 0; i < 10; ++i) w[i] = 100;
  EXPECT_EQ(Summarize(w).p99_ms * 1e6, 1);
}

TEST(LedgerTest, WarmupIsAccountedButNotMeasured) {
  Ledger l(4, 2);
  for (uint32_t i = 0; i < 4; ++i) l.Sent(i, 0, false, i);
  l.Received(0, Outcome::kAssigned, 100);
  l.Received(1, Outcome::kAssigned, 100);
  l.Received(2, Outcome::kAssigned, 50);
  EXPECT_EQ(l.OverLimit(40, 60), 2u);      // seq 2 answered in 50; seq 3 unanswered for 60
  EXPECT_EQ(l.OverLimit(55, 50), 0u);      // warm-up leads never count
  l.Received(1, Outcome::kAssigned, 120);  // a duplicate in the warm-up still fails the phase
  auto s = l.Summarize();
  EXPECT_EQ(s.warmup, 2u);
  EXPECT_EQ(s.latency.count, 1u);
  EXPECT_DOUBLE_EQ(s.latency.p99_ms, 50 / 1e6);
  EXPECT_EQ(s.accounted_once, 2u);
  EXPECT_EQ(s.duplicated, 1u);
  EXPECT_EQ(s.missing, 1u);
  EXPECT_FALSE(s.Correct());
}

TEST(LedgerTest, LatencyByThirdOfTheMeasuredLeads) {
  Ledger l(9, 2);
  for (uint32_t i = 0; i < 8; ++i) l.Sent(i, 0, false, i);  // the ninth never sent
  for (uint32_t i = 0; i < 8; ++i) {
    l.Received(i, Outcome::kAssigned, i < 2 ? 1000 : 10 * (1 + (i - 2) / 2));
  }
  auto s = l.Summarize();
  EXPECT_EQ(s.latency.count, 6u);
  ASSERT_EQ(s.latency_by_third[0].count, 2u);
  EXPECT_EQ(s.latency_by_third[1].count, 2u);
  EXPECT_EQ(s.latency_by_third[2].count, 2u);
  EXPECT_DOUBLE_EQ(s.latency_by_third[0].p99_ms, 10 / 1e6);
  EXPECT_DOUBLE_EQ(s.latency_by_third[1].p99_ms, 20 / 1e6);
  EXPECT_DOUBLE_EQ(s.latency_by_third[2].p99_ms, 30 / 1e6);
  EXPECT_EQ(P99ByThird(s), "0 / 0 / 0");  // in ms
  EXPECT_EQ(P99ByThird(LedgerSummary{}), "-");
}

TEST(ReportTest, ReportsTheRateSearchNextToFlatOut) {
  RunReport r;
  r.phases = {Phase("passthrough-flat-out", 100000, 5, 10),
              Phase("pipeline-flat-out", 4000, 30, 60)};
  RateSearchResult rs;
  rs.steps = {Step(500, 40, 44, rs.settings), Step(1000, 40, 50, rs.settings),
              Step(2000, 40, 400, rs.settings)};
  rs.steps[2].pipeline.processes.push_back({"redis", 0.005, 0.1, 10, 10});
  rs.steps[2].pipeline.ledger.latency_by_third[0].p99_ms = 120;  // a growing backlog
  rs.steps[2].pipeline.ledger.latency_by_third[1].p99_ms = 300;
  rs.steps[2].pipeline.ledger.latency_by_third[2].p99_ms = 400;
  rs.held_rate = 1000;
  rs.failed_rate = 2000;
  rs.stop = SearchStop::kBudget;
  rs.seconds = 75;
  r.search = rs;
  auto v = Judge(r);
  EXPECT_TRUE(v.have_search);
  EXPECT_EQ(v.held_rate, 1000);
  EXPECT_DOUBLE_EQ(v.held_p99_ratio, 1.25);
  EXPECT_FALSE(v.held_met);
  EXPECT_TRUE(v.correctness_met);
  const std::string text = ToText(r);
  EXPECT_NE(text.find("rate held within 1.5x passthrough p99: 1000 leads/s (p99 ratio 1.25 "
                      "there); lowest rate failed 2000 leads/s"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("flat out, same run: pipeline 4000 / passthrough 100000 leads/s = ratio "
                      "0.040"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("3 steps in 75 s, stopped: time budget spent"), std::string::npos) << text;
  EXPECT_NE(text.find("     2000                40.0            400.0   10.00             2000  "
                      "        500.0           120 / 300 / 400  failed"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rate held within 1.5x passthrough p99: 1000 leads/s (target >= 4000): "
                      "MISSED"),
            std::string::npos)
      << text;
  auto j = ToJson(r);
  EXPECT_EQ(j["rate_search"]["held_rate"], 1000);
  EXPECT_EQ(j["rate_search"]["stop"], "time budget spent");
  EXPECT_EQ(j["rate_search"]["steps"].size(), 3u);
  EXPECT_EQ(j["rate_search"]["steps"][2]["held"], false);
  EXPECT_EQ(j["rate_search"]["steps"][2]["pipeline"]["latency_ms"]["p99"], 400);
  EXPECT_EQ(j["rate_search"]["steps"][2]["pipeline"]["latency_by_third_ms"][1]["p99"], 300);
  EXPECT_EQ(j["verdict"]["held_met"], false);

  r.search->steps[1].pipeline.ledger.missing = 1;
  r.search->steps[1].judgement =
      JudgeStep(r.search->steps[1].passthrough, r.search->steps[1].pipeline, 1000, rs.settings);
  r.search->stop = SearchStop::kLeadsLost;
  EXPECT_FALSE(Judge(r).correctness_met);
  EXPECT_NE(ToText(r).find("LEADS LOST"), std::string::npos);
}

}  // namespace
}  // namespace leadflow::bench
