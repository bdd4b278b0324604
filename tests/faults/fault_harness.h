// Shared machinery of the fault tests (tests/faults): a deterministic lead mix
// whose every lead has exactly one expected final output, a paced background
// producer, and the accounting that reads every final-output topic back and
// counts leads in, leads out, duplicates and lost leads.
//
// Final outputs: leads.assigned, leads.nurture, accounts.inbound and
// leads.rejected. A lead is identified by its (unique) email, which every
// output carries (in the lead, or in the original bytes of a rejection).
//
// Counting rules (at-least-once pipeline, see docs/reliability.md):
//  - lost: a lead with no final output;
//  - duplicate: a lead with more than one *distinct* final output (two lead
//    ids, two topics, two reps or two outcomes);
//  - redelivered: an identical final record published again after a crash
//    (same topic, lead id and decision). Consumers dedupe these by lead_id;
//    they are counted and printed, not failures.
// Not thread-safe unless stated.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/testing/kafka_test_client.h"
#include "tests/e2e/stack.h"

namespace leadflow::faults {

enum class LeadKind { kNurture, kMidMarket, kCustomer, kDisqualified, kInvalid };

struct PlannedLead {
  std::string email;
  LeadKind kind = LeadKind::kNurture;
  std::string json;  // the leads.submitted record
};

// Lead i of a run: ~55% low-intent prospects (nurture), 10% qualified
// mid-market prospects (assigned, or nurture once the team's daily caps are
// used up), 20% customers of the test registry (accounts.inbound), 7%
// screened-out industry (rejected by routing), 8% invalid email (rejected by
// intake). `run` keeps emails unique across runs on one stack.
PlannedLead MakeLead(int i, const std::string& run);
std::vector<PlannedLead> MakeLeads(int count, const std::string& run);

// Publishes the customer accounts the lead mix refers to and waits until
// intake's registry view holds them. False on timeout.
bool PublishRegistry(e2e::Stack& stack, testing::KafkaTestClient& kafka);

// Produces leads on leads.submitted from a background thread, `per_second`
// at most (0 = as fast as possible), from `threads` threads. Every lead is
// retried until its delivery is confirmed, so a broker outage slows the
// producer down but loses nothing. Leads go to the partition of their key,
// or, when `partitions` is not empty, to those partitions in turn (e.g. to
// keep leads flowing past a broker that is down).
class LeadProducer {
 public:
  LeadProducer(std::string bootstrap, const std::vector<PlannedLead>& leads, int per_second,
               int threads = 1, std::vector<int32_t> partitions = {});
  ~LeadProducer();
  int produced() const { return produced_.load(); }
  bool done() const { return produced_.load() == static_cast<int>(leads_.size()); }
  // Blocks until every lead was delivered or `timeout` passed.
  bool Wait(std::chrono::seconds timeout);

 private:
  const std::vector<PlannedLead>& leads_;
  std::atomic<int> next_{0};
  std::atomic<int> produced_{0};
  std::atomic<bool> stop_{false};
  std::unique_ptr<testing::KafkaTestClient> client_;
  std::vector<std::thread> threads_;
};

struct Tally {
  int64_t leads_in = 0;
  int64_t leads_out = 0;  // leads with at least one final output
  int64_t duplicates = 0;
  int64_t lost = 0;
  int64_t redelivered = 0;
  int64_t misrouted = 0;  // a final output of the wrong kind (e.g. a customer in nurture)
  int64_t assigned = 0, nurture = 0, inbound = 0, rejected = 0;
  std::map<std::string, std::set<std::string>> rep_leads;  // rep -> distinct lead ids
  std::set<std::string> lead_ids;                          // every lead id seen
  std::string examples;                                    // a few offending leads
  std::vector<std::string> lost_emails;                    // every lost lead
  std::string Summary(const std::string& name) const;
};

// Reads the four final-output topics and counts against `leads`.
Tally Collect(testing::KafkaTestClient& kafka, const std::vector<PlannedLead>& leads);

// Polls Collect() until every lead has an output (or `timeout`), then waits
// `settle` and collects once more so late duplicates are seen too.
Tally WaitForAll(testing::KafkaTestClient& kafka, const std::vector<PlannedLead>& leads,
                 std::chrono::seconds timeout,
                 std::chrono::milliseconds settle = std::chrono::milliseconds(2000));

// For a failure message: where each of the first few lost leads was last
// seen on the way (leads.submitted, leads.accepted, leads.scored), with
// partition and offset, so a loss points at the hop that dropped it.
std::string TraceLost(testing::KafkaTestClient& kafka, const Tally& tally);

// The last `per_service` warning and error log lines of each service, for a
// failure message.
std::string ServiceWarnings(const e2e::Stack& stack, size_t per_service = 12);

// One line per service counting its warnings and errors by message, e.g.
// "[broker] routing: 14x flush failed; rewinding batch, 2x commit failed".
std::string WarningCounts(const e2e::Stack& stack, const std::string& name);

// Routing capacity invariants against Redis: for every rep, the open and
// today's claim counters equal the number of distinct leads assigned to that
// rep on leads.assigned, and no lead id is assigned to two reps. Returns an
// empty string when they hold, else what failed.
std::string CheckRepClaims(e2e::Stack& stack, const Tally& tally);

// Touch ids on nurture.touches are unique. Returns the number of duplicate
// touch ids and sets `total`.
int64_t DuplicateTouchIds(testing::KafkaTestClient& kafka, int64_t* total);

// Resident set size of a process in kB (0 if unknown).
int64_t RssKb(pid_t pid);

// Sum of leadflow_<service>_consumer_lag_messages over all partitions of
// `topic` from the service's /metrics.
int64_t ConsumerLag(e2e::Stack& stack, const std::string& service, const std::string& topic);

// A helper for fixed-time waits.
bool WaitUntil(const std::function<bool()>& cond, std::chrono::milliseconds timeout);

}  // namespace leadflow::faults
