// How many Redis commands nurture's batch paths cost (INFO commandstats of a
// real redis-server, Lua-internal calls included), and that one input's error
// inside a batch script stays that input's own.
#include <cstdlib>
#include <thread>

#include "nurture/app/scheduler_lease.h"
#include "nurture/testing/nurture_app_fixture.h"

namespace leadflow::nurture {
namespace {

class NurtureRedisBudgetTest : public NurtureAppTest {
 protected:
  // Commands run since the last call: CONFIG RESETSTAT, INFO and loading the
  // scripts (SCRIPT LOAD and the EVALSHA that met NOSCRIPT on this fresh
  // server) excluded.
  int64_t CommandsSinceReset() {
    const std::string info = server_->Command({"INFO", "commandstats"}).value_or("");
    server_->Command({"CONFIG", "RESETSTAT"});
    int64_t total = 0;
    for (size_t at = info.find("cmdstat_"); at != std::string::npos;
         at = info.find("cmdstat_", at + 1)) {
      const std::string name = info.substr(at + 8, info.find(':', at) - at - 8);
      const size_t calls = info.find("calls=", at);
      if (name == "info" || name.rfind("config", 0) == 0 || name.rfind("script", 0) == 0 ||
          calls == std::string::npos) {
        continue;
      }
      total += std::strtoll(info.c_str() + calls + 6, nullptr, 10);
      const size_t failed = info.find("failed_calls=", at);
      if (failed != std::string::npos && failed < info.find('\n', at)) {
        total -= std::strtoll(info.c_str() + failed + 13, nullptr, 10);
      }
    }
    return total;
  }
  std::vector<kafka::ConsumedMessage> Leads(const std::string& prefix, int n) {
    std::vector<kafka::ConsumedMessage> batch;
    for (int i = 0; i < n; ++i) batch.push_back(Msg(Request(prefix + std::to_string(i))));
    return batch;
  }
};

// Before the batch scripts an enrolment cost about 12 commands (plus the
// registry view) and a sent touch about 21: per-touch claim and finish
// scripts, one SISMEMBER per set. The bounds leave room for the registry
// lookups (a few GETs per contact) and a handful per batch.
TEST_F(NurtureRedisBudgetTest, AnEnrolmentBatchAndAPollCostAFewCommandsPerLead) {
  constexpr int kLeads = 20;
  CommandsSinceReset();
  for (const auto& r : engine_->HandleEnrolments(Leads("N", kLeads))) {
    ASSERT_TRUE(r.status.ok()) << r.status.message();
  }
  const int64_t enrol = CommandsSinceReset();
  EXPECT_EQ(Poll(), kLeads);
  const int64_t poll = CommandsSinceReset();
  ASSERT_EQ(Touches().size(), static_cast<size_t>(kLeads));
  std::printf("redis commands: enrolment batch %.2f per lead, poll %.2f per touch\n",
              static_cast<double>(enrol) / kLeads, static_cast<double>(poll) / kLeads);
  EXPECT_LE(enrol, 12 * kLeads);  // measured 10.25 per lead, 14.5 before
  EXPECT_LE(poll, 16 * kLeads);   // measured 11.7 per touch, 23.5 before
  // The next poll finds nothing due (the second touches are a day away).
  EXPECT_EQ(Poll(), 0);
  EXPECT_LE(CommandsSinceReset(), 5);
}

// The idle scheduler (issue 21): a poll with nothing due is one plain read, no
// script run; the lease is renewed in Redis a third of its TTL apart, not at
// every poll, and never held while another replica holds it.
TEST_F(NurtureRedisBudgetTest, AnIdlePollIsOneReadAndTheLeaseIsRenewedATtlThirdApart) {
  CommandsSinceReset();
  EXPECT_EQ(Poll(), 0);
  EXPECT_EQ(CommandsSinceReset(), 1);
  SchedulerLease lease(*redis_);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(*lease.Hold("replica-a", 600));
  EXPECT_EQ(CommandsSinceReset(), 3);  // one renewal: EVALSHA, GET, SET
  EXPECT_FALSE(*store_->lease().Hold("replica-b", 600));
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  CommandsSinceReset();
  ASSERT_TRUE(*lease.Hold("replica-a", 600));  // a third of the TTL passed: renewed
  EXPECT_EQ(CommandsSinceReset(), 3);          // EVALSHA, GET, PEXPIRE
  const int64_t pttl =
      std::stoll(server_->Command({"PTTL", "lf:{nurture}:scheduler-lease"}).value_or("0"));
  EXPECT_GT(pttl, 400);
}

// A poll with work to do never acts on the lease's cached word: it confirms
// the lease in Redis first, so a lease lost meanwhile (here: Redis lost the key
// and another replica took it) claims nothing.
TEST_F(NurtureRedisBudgetTest, APollWithWorkConfirmsTheLeaseFirst) {
  ASSERT_TRUE(*store_->lease().Hold("replica-a", 60000));
  for (const auto& r : engine_->HandleEnrolments(Leads("K", 1))) ASSERT_TRUE(r.status.ok());
  server_->Command({"SET", "lf:{nurture}:scheduler-lease", "replica-b", "PX", "60000"});
  EXPECT_TRUE(*store_->lease().Hold("replica-a", 60000));  // the cache still says so
  EXPECT_EQ(Poll(), 0);
  EXPECT_TRUE(Touches().empty());
  EXPECT_EQ(server_->Command({"ZCARD", "lf:{nurture}:due"}).value_or(""), "1");
  EXPECT_FALSE(*store_->lease().Hold("replica-a", 60000));  // and now Hold() knows
}

TEST_F(NurtureRedisBudgetTest, OneEnrolmentsErrorInTheBatchScriptIsItsOwn) {
  // Only the enrolment script writes the contact's index.
  server_->Command({"SET", "lf:{nurture}:contact:contact-E0", "not a set"});
  const auto results = engine_->HandleEnrolments(Leads("E", 2));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].status.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(results[1].status.ok()) << results[1].status.message();
  EXPECT_EQ(Enrolments("contact-E1").size(), 1u);
  EXPECT_EQ(server_->Command({"ZCARD", "lf:{nurture}:due"}).value_or(""), "1");
}

TEST_F(NurtureRedisBudgetTest, OneContactsErrorInTheChecksScriptIsItsOwn) {
  for (const auto& r : engine_->HandleEnrolments(Leads("C", 2))) ASSERT_TRUE(r.status.ok());
  server_->Command({"SET", "lf:{nurture}:sends:contact-C0", "not a sorted set"});
  EXPECT_FALSE(engine_->PollOnce().ok());  // C0's checks failed: unavailable, the poll stops
  auto inflight = store_->touches().InFlight();
  ASSERT_TRUE(inflight.ok());
  EXPECT_EQ(inflight->size(), 2u) << "nothing decided past the failure stays lost";
  server_->Command({"DEL", "lf:{nurture}:sends:contact-C0"});
  auto recovered = engine_->Recover();
  ASSERT_TRUE(recovered.ok());
  EXPECT_EQ(*recovered, 2);
  EXPECT_EQ(Poll(), 2);
  EXPECT_EQ(Touches().size(), 2u);
}

TEST_F(NurtureRedisBudgetTest, OneTouchsErrorInTheFinishScriptLeavesItInFlight) {
  for (const auto& r : engine_->HandleEnrolments(Leads("F", 2))) ASSERT_TRUE(r.status.ok());
  // Only Finish touches the sent list.
  server_->Command({"SET", "lf:{nurture}:sent-list:F0:p-general", "not a list"});
  EXPECT_FALSE(engine_->PollOnce().ok());  // F0's finish failed: the poll reports it
  // F1 finished and moved on; F0 stays in flight for Recover().
  EXPECT_EQ(EnrolmentOf("F1").next_step(), 1);
  EXPECT_EQ(EnrolmentOf("F0").next_step(), 0);
  auto inflight = store_->touches().InFlight();
  ASSERT_TRUE(inflight.ok());
  ASSERT_EQ(inflight->size(), 1u);
  EXPECT_EQ(inflight->front().first, "F0:p-general:0");
}

}  // namespace
}  // namespace leadflow::nurture

namespace leadflow::nurture {
namespace {

// Batches larger than Lua's unpack() limit go to the variadic commands in chunks.
TEST_F(NurtureRedisBudgetTest, BatchesOfThousandsGoThroughTheScriptsWhole) {
  constexpr int kN = 5000;  // ZADD and HSET get 10,000 values: more than unpack() takes
  std::vector<NewEnrolment> enrolments(kN);
  std::vector<EnrolWrite> writes;
  const rv1::NurtureRequested req = Request("big");
  for (int i = 0; i < kN; ++i) {
    NewEnrolment& e = enrolments[i];
    e.enrolment_id = "big" + std::to_string(i) + ":t";
    e.contact_id = "c" + std::to_string(i);
    e.lead_id = "big" + std::to_string(i);
    e.track_id = "t";
    e.account_key = "acme.ru";
    e.first_touch_id = e.enrolment_id + ":0";
    e.first_due_ms = 1000 + i;
    writes.push_back({&e, &req});
  }
  for (const auto& r : store_->enrolments().EnrolMany(writes)) ASSERT_TRUE(r.ok() && *r);
  auto claimed = store_->touches().ClaimDue(9000, kN);
  ASSERT_TRUE(claimed.ok()) << claimed.status().message();
  ASSERT_EQ(claimed->size(), static_cast<size_t>(kN));
  EXPECT_EQ(claimed->front(), "big0:t:0");  // earliest first
  std::vector<ContactCheckQuery> queries;
  std::vector<FinishArgs> finishes;
  for (const auto& e : enrolments) {
    queries.push_back({e.contact_id, {e.account_key, "other.ru"}, "topic", 5000});
    finishes.push_back({e.enrolment_id, e.contact_id, e.first_touch_id, 0, true, 5000,
                        e.enrolment_id + ":1", 9000});
  }
  ASSERT_TRUE(store_->unsubscribes().Add("c4999").ok());
  const auto checks = store_->checks().LoadContactChecks(queries);
  ASSERT_TRUE(checks.back().ok());
  EXPECT_TRUE(checks.back()->unsubscribed);
  EXPECT_FALSE(checks.front()->unsubscribed);
  for (const auto& f : store_->touches().FinishMany(finishes)) ASSERT_TRUE(f.ok() && *f);
  auto inflight = store_->touches().InFlight();
  ASSERT_TRUE(inflight.ok());
  EXPECT_TRUE(inflight->empty());
  EXPECT_EQ(server_->Command({"ZCOUNT", "lf:{nurture}:due", "9000", "9000"}).value_or(""), "5000");
}

}  // namespace
}  // namespace leadflow::nurture

namespace leadflow::nurture {
namespace {

TEST_F(NurtureRedisBudgetTest, DeferringAPollsTouchesIsOneScriptRunAndOnlyTheCurrentStepFollows) {
  for (const auto& r : engine_->HandleEnrolments(Leads("D", 2))) ASSERT_TRUE(r.status.ok());
  auto claimed = store_->touches().ClaimDue(clock_.NowMillis(), 10);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 2u);
  // D1's enrolment moved on meanwhile (another step, as after a crash).
  server_->Command({"HSET", "lf:{nurture}:enrol:D1:p-general", "next_step", "1"});
  const int64_t later = clock_.NowMillis() + kHour;
  CommandsSinceReset();
  ASSERT_TRUE(store_->touches()
                  .DeferMany({{"D0:p-general", 0, "D0:p-general:0", later},
                              {"D1:p-general", 0, "D1:p-general:0", later}})
                  .ok());
  EXPECT_LE(CommandsSinceReset(), 7);  // EVALSHA, ZADD, HDEL, and HMGET (+HSET) each
  auto inflight = store_->touches().InFlight();
  ASSERT_TRUE(inflight.ok());
  EXPECT_TRUE(inflight->empty());
  EXPECT_EQ(
      server_->Command({"ZCOUNT", "lf:{nurture}:due", std::to_string(later), std::to_string(later)})
          .value_or(""),
      "2");
  EXPECT_EQ(
      server_->Command({"HGET", "lf:{nurture}:enrol:D0:p-general", "next_due_ms"}).value_or(""),
      std::to_string(later));
  EXPECT_NE(
      server_->Command({"HGET", "lf:{nurture}:enrol:D1:p-general", "next_due_ms"}).value_or(""),
      std::to_string(later));
}

}  // namespace
}  // namespace leadflow::nurture
