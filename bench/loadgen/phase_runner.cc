#include "phase_runner.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "classify.h"
#include "common/kafka/topics.h"
#include "common/testing/redis_server.h"
#include "proc_stats.h"
#include "rate_search.h"
#include "redis_stats.h"

namespace leadflow::bench {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::vector<ProcessUsage> Usage(const std::map<std::string, pid_t>& pids,
                                std::map<std::string, ProcSample>& start,
                                std::map<std::string, ProcSample>& last,
                                std::map<std::string, int64_t>& rss_max, double wall_seconds) {
  std::vector<ProcessUsage> out;
  const double tck = static_cast<double>(ClockTicksPerSecond());
  for (const auto& [n, pid] : pids) {
    if (!start.count(n) || !last.count(n)) continue;
    ProcessUsage u;
    u.name = n;
    u.cpu_seconds = static_cast<double>(last[n].cpu_ticks - start[n].cpu_ticks) / tck;
    u.cpu_cores = wall_seconds > 0 ? u.cpu_seconds / wall_seconds : 0;
    u.rss_max_mb = static_cast<double>(rss_max[n]) / 1024.0;
    u.rss_end_mb = static_cast<double>(last[n].rss_kb) / 1024.0;
    out.push_back(u);
  }
  return out;
}

}  // namespace

std::string HopTopic(int i) { return "bench.hop" + std::to_string(i); }

kafka::Consumer* PhaseRunner::ConsumerFor(bool baseline) {
  // One consumer per path for the whole run, reading from the start of the
  // (then empty) topics: at a phase's start it only has the previous
  // phase's trailing records to skip, so a phase never measures the
  // consumer catching up on history.
  auto& slot = baseline ? passthrough_consumer_ : pipeline_consumer_;
  if (!slot) {
    kafka::ConsumerOptions co;
    co.brokers = brokers_;
    co.group_id = "leadflow-bench-" + o_.tag + "-" + (baseline ? "passthrough" : "pipeline");
    co.client_id = "leadflow-bench";
    co.topics = baseline
                    ? std::vector<std::string>{HopTopic(kHops)}
                    : std::vector<std::string>{topics::kLeadsAssigned, topics::kLeadsNurture,
                                               topics::kAccountsInbound, topics::kLeadsRejected};
    if (!baseline && o_.hop_timings) {
      co.topics.push_back(topics::kLeadsAccepted);
      co.topics.push_back(topics::kLeadsScored);
    }
    auto c = kafka::MakeKafkaConsumer(co, nullptr);
    if (!c.ok()) throw std::runtime_error(c.status().message());
    slot = std::move(*c);
  }
  kafka::Consumer* consumer = slot.get();
  for (int i = 0; i < 150 && consumer->AssignedPartitions() == 0; ++i) {
    consumer->PollBatch(5000, std::chrono::milliseconds(100));
  }
  for (int empty = 0; empty < 3;) {  // skip what earlier phases left behind
    empty = consumer->PollBatch(5000, std::chrono::milliseconds(50)).empty() ? empty + 1 : 0;
  }
  return consumer;
}

kafka::Producer* PhaseRunner::Producer() {
  // One producer for all phases: its start-up (metadata, producer id) is
  // paid in the warm-up, not in a measured phase.
  if (!producer_) {
    kafka::ProducerOptions po;
    po.brokers = brokers_;
    po.client_id = "leadflow-bench";
    auto p = kafka::MakeKafkaProducer(po, nullptr);
    if (!p.ok()) throw std::runtime_error(p.status().message());
    producer_ = std::move(*p);
  }
  return producer_.get();
}

size_t PhaseRunner::Send(const PhaseSpec& spec, const std::string& tag,
                         std::vector<GeneratedLead>& leads, Ledger& ledger,
                         const std::atomic<bool>& give_up) {
  kafka::Producer* producer = Producer();
  const std::string topic = spec.path == "passthrough" ? HopTopic(0) : topics::kLeadsSubmitted;
  const int64_t t0 = NowNs();
  const int64_t send_deadline = t0 + static_cast<int64_t>(o_.max_phase_seconds * 1e9);
  size_t sent = 0;
  for (size_t i = 0; i < leads.size() && !give_up.load(); ++i) {
    int64_t now = NowNs();
    if (spec.rate > 0) {
      const int64_t due = t0 + static_cast<int64_t>(static_cast<double>(i) * 1e9 / spec.rate);
      if (due > now) {
        std::this_thread::sleep_for(std::chrono::nanoseconds(due - now));
        now = NowNs();
      }
    }
    if (now > send_deadline) break;
    auto& lead = leads[i];
    kafka::OutgoingMessage m{topic,
                             lead.key,
                             std::move(lead.payload),
                             {{topics::kTraceHeader, TraceId(tag, i)},
                              {topics::kContentTypeHeader, "application/json"}}};
    ledger.Sent(static_cast<uint32_t>(i), now, IsInvalid(lead.kind), PayloadHash(m.payload));
    Status s = producer->Produce(m);
    while (!s.ok() && NowNs() < send_deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      s = producer->Produce(m);
    }
    if (!s.ok()) {
      std::fprintf(stderr, "leadflow-bench: produce failed: %s\n", s.message().c_str());
      break;
    }
    ++sent;
  }
  if (auto s = producer->Flush(std::chrono::seconds(30)); !s.ok()) {
    std::fprintf(stderr, "leadflow-bench: flush failed: %s\n", s.message().c_str());
  }
  return sent;
}

bool PhaseRunner::Drain(const Ledger& ledger, size_t sent) const {
  size_t last_accounted = ledger.accounted();
  int64_t last_progress = NowNs();
  while (true) {
    const size_t a = ledger.accounted();
    if (a >= sent) return true;
    if (a != last_accounted) {
      last_accounted = a;
      last_progress = NowNs();
    }
    if (NowNs() - last_progress > static_cast<int64_t>(o_.drain_seconds * 1e9)) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

PhaseResult PhaseRunner::Run(const PhaseSpec& spec) {
  const bool baseline = spec.path == "passthrough";
  const std::string tag = o_.tag + "p" + std::to_string(spec.index);
  GeneratorOptions g;
  g.seed = o_.seed + static_cast<uint64_t>(spec.index);
  g.run_tag = tag;
  g.customers = customers_;
  LeadGenerator gen(g);
  std::vector<GeneratedLead> leads;
  leads.reserve(spec.count);
  for (size_t i = 0; i < spec.count; ++i) leads.push_back(gen.Generate(i));

  Ledger ledger(spec.count, spec.warmup);
  kafka::Consumer* consumer = ConsumerFor(baseline);
  Producer();

  const auto& pids = baseline ? passthrough_pids : pipeline_pids;
  auto redis_stats = [&]() -> CommandStats {
    if (baseline || !redis_) return {};
    auto info = redis_->Command({"INFO", "commandstats"});
    return info ? ParseCommandStats(*info) : CommandStats{};
  };
  const auto redis_before = redis_stats();
  std::map<std::string, ProcSample> start_samples, last_samples;
  std::map<std::string, int64_t> rss_max;
  for (const auto& [n, pid] : pids) {
    if (auto s = ReadProcSample(pid)) start_samples[n] = *s;
  }

  std::atomic<bool> stop{false}, give_up{false};
  std::thread receiver([&] {
    while (!stop.load()) {
      for (auto& m : consumer->PollBatch(5000, std::chrono::milliseconds(20))) {
        const int64_t t = NowNs();
        auto c = Classify(m, tag, ledger);
        if (!c.seq) continue;
        if (c.hop >= 0) {
          ledger.Intermediate(*c.seq, c.hop, t);
        } else {
          ledger.Received(*c.seq, c.outcome, t);
        }
      }
    }
  });
  const size_t measured = spec.count - std::min(spec.count, spec.warmup);
  const auto limit_ns = static_cast<int64_t>(spec.latency_limit_ms * 1e6);
  std::thread sampler([&] {
    while (!stop.load()) {
      for (const auto& [n, pid] : pids) {
        if (auto s = ReadProcSample(pid)) {
          last_samples[n] = *s;
          rss_max[n] = std::max(rss_max[n], s->rss_kb);
        }
      }
      if (limit_ns > 0 && !give_up.load() &&
          P99CertainlyOver(ledger.OverLimit(limit_ns, NowNs()), measured)) {
        give_up = true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });

  const int64_t t0 = NowNs();
  const size_t sent = Send(spec, tag, leads, ledger, give_up);
  const bool drained = Drain(ledger, sent);
  // A little longer, to catch duplicates that trail the first outputs.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const int64_t t_end = NowNs();
  const auto redis_after = redis_stats();
  stop = true;
  receiver.join();
  sampler.join();

  PhaseResult r;
  r.name = spec.name;
  r.path = spec.path;
  r.target_rate = spec.rate;
  r.wall_seconds = static_cast<double>(t_end - t0) / 1e9;
  r.drained = drained;
  r.stopped_early = give_up.load() && sent < spec.count;
  r.ledger = ledger.Summarize();
  r.redis_calls_per_lead = CallsPerLead(redis_before, redis_after, r.ledger.sent);
  r.redis_usec_per_lead = UsecPerLead(redis_before, redis_after, r.ledger.sent);
  r.processes = Usage(pids, start_samples, last_samples, rss_max, r.wall_seconds);
  return r;
}

}  // namespace leadflow::bench
