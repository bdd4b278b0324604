// Team queues ranked by score (docs/domain-rules.md, "Team queues ranked by
// score"; config/README.md queue_order) over the real binaries (intake,
// scoring, routing, nurture), devkafka and redis-server, with a copy of the
// shipped config/ whose key-account managers hold one open lead each:
//   1. Three leads fill the key-accounts team; seven deals of 80 mln (the
//      large-deal rule sends them to key-accounts whatever their score) with
//      different BANT answers queue, submitted weakest first.
//   2. Slots are freed one at a time by sales feedback over gRPC (accept +
//      close); each freed slot goes to the queued lead with the highest BANT
//      product, then the highest total score, ties to the oldest.
//   3. Midway, routing is killed and its Redis state deleted: the queue is
//      rebuilt from the topics and keeps draining in the same order.
// Before the ranked queue, routing drained first in, first out: the weakest
// lead (submitted first) was assigned first, and this test failed.
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "common/kafka/topics.h"
#include "leadflow/config/v1/routing_rules.pb.h"
#include "leadflow/routing/v1/routing.grpc.pb.h"
#include "routing_rules_copy.h"
#include "common/testing/kafka_test_client.h"
#include "common/testing/paths.h"
#include "common/testing/temp_dir.h"
#include "stack.h"

namespace leadflow::e2e {
namespace {

namespace rv1 = leadflow::routing::v1;
using std::chrono::seconds;

// The shipped demo API key of the key-accounts sales tool (config/README.md).
constexpr char kKeyAccountsKey[] = "demo-key-key-accounts";

// A leads.submitted JSON form event for an 80 mln deal.
std::string LeadJson(const std::string& email, const std::string& company, const std::string& need,
                     const std::string& timeline, int64_t revenue_rub) {
  return R"({"source_id":"web-form-main","email":")" + email + R"(","company_name":")" + company +
         R"(","job_title":"менеджер","industry":"manufacturing","headcount":500,)" +
         R"("region":"RU-MOW","annual_revenue_rub":")" + std::to_string(revenue_rub) +
         R"(","intent":"download_whitepaper","channel":"direct","consent":true,)" +
         R"("expected_deal_rub":"80000000","answers":{"budget":"over_50m","need":")" + need +
         R"(","timeline":")" + timeline + R"("}})";
}

// A copy of config/ in `dir` whose key-accounts reps hold one open lead each.
bool WriteConfig(const testing::TempDir& dir, std::string* error) {
  return CopyConfigWithRoutingRules(
      dir,
      [](leadflow::config::v1::RoutingRules& rules) {
        for (auto& team : *rules.mutable_teams()) {
          if (team.team_id() != "key-accounts") continue;
          for (auto& rep : *team.mutable_reps()) {
            rep.set_max_open_leads(1);
            rep.set_daily_cap(1000);
          }
        }
      },
      error);
}

class RankedQueueE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    dir_ = testing::TempDir::Create("leadflow-ranked-queue", &error);
    ASSERT_TRUE(dir_) << error;
    ASSERT_TRUE(WriteConfig(*dir_, &error)) << error;
    StackOptions opts;
    opts.config_dir = dir_->path();
    stack_ = Stack::Start(opts, &error);
    ASSERT_TRUE(stack_) << error;
    kafka_ = std::make_unique<testing::KafkaTestClient>(stack_->bootstrap());
    Connect();
  }
  void Connect() {
    stub_ = rv1::RoutingService::NewStub(
        grpc::CreateChannel(stack_->grpc_address("routing"), grpc::InsecureChannelCredentials()));
  }

  void Submit(const std::string& email, const std::string& json) {
    ASSERT_TRUE(kafka_
                    ->ProduceSync(topics::kLeadsSubmitted, email, json,
                                  {{topics::kContentTypeHeader, "application/json"}})
                    .ok);
  }

  // Every leads.assigned record so far (in order per lead; partitions
  // interleave, so not across leads).
  std::vector<rv1::LeadAssigned> AssignedRecords() {
    std::vector<rv1::LeadAssigned> out;
    const int64_t n = kafka_->CountMessages(topics::kLeadsAssigned, seconds(5));
    if (n <= 0) return out;
    for (const auto& m :
         kafka_->ConsumeAll(topics::kLeadsAssigned, static_cast<size_t>(n), seconds(10))) {
      rv1::LeadAssigned a;
      if (a.ParseFromString(m.value)) out.push_back(a);
    }
    return out;
  }

  // Waits for a record of `email` with `outcome`; returns it (empty on timeout).
  rv1::LeadAssigned WaitForOutcome(const std::string& email, rv1::RoutingOutcome outcome) {
    rv1::LeadAssigned found;
    WaitFor(
        [&] {
          for (const auto& a : AssignedRecords()) {
            if (a.scored().lead().contact().email() == email && a.decision().outcome() == outcome) {
              found = a;
              return true;
            }
          }
          return false;
        },
        seconds(60));
    return found;
  }

  // The first ASSIGNED record of each queued lead that has one (a redelivery
  // after the restart may re-emit it), by lead id.
  std::map<std::string, rv1::LeadAssigned> Drained(
      const std::map<std::string, rv1::LeadAssigned>& queued) {
    std::map<std::string, rv1::LeadAssigned> out;
    for (const auto& a : AssignedRecords()) {
      const std::string& id = a.scored().lead().meta().lead_id();
      if (a.decision().outcome() == rv1::ASSIGNED && queued.count(id)) out.emplace(id, a);
    }
    return out;
  }

  // Accept and close (LOST, with a coded loss reason: the shipped config
  // requires one, config/README.md) a lead over gRPC as its rep: its slot frees.
  void AcceptAndClose(const rv1::LeadAssigned& a) {
    rv1::FeedbackAck ack;
    {
      grpc::ClientContext ctx;
      ctx.AddMetadata("x-api-key", kKeyAccountsKey);
      ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
      rv1::AcceptLeadRequest req;
      req.set_lead_id(a.scored().lead().meta().lead_id());
      req.set_rep_id(a.decision().rep_id());
      auto st = stub_->AcceptLead(&ctx, req, &ack);
      ASSERT_TRUE(st.ok()) << st.error_message();
    }
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-api-key", kKeyAccountsKey);
    ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
    rv1::CloseLeadRequest req;
    req.set_lead_id(a.scored().lead().meta().lead_id());
    req.set_rep_id(a.decision().rep_id());
    req.set_outcome(rv1::LOST);
    req.set_loss_reason(leadflow::common::v1::LOST_TIMING);
    auto st = stub_->CloseLead(&ctx, req, &ack);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(ack.status(), "closed: LOST (LOST_TIMING)") << a.scored().lead().meta().lead_id();
  }

  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<Stack> stack_;
  std::unique_ptr<testing::KafkaTestClient> kafka_;
  std::unique_ptr<rv1::RoutingService::Stub> stub_;
};

TEST_F(RankedQueueE2E, FreedSlotsGoToTheHighestBantProductThenTotalScoreThenTheOldest) {
  constexpr int64_t kMidMarket = 5'000'000'000;
  constexpr int64_t kSmb = 1'000'000'000;  // fit 5 points instead of 20: a lower total
  // 1. Fill the three key-account managers.
  std::vector<rv1::LeadAssigned> holders;
  for (int i = 0; i < 3; ++i) {
    const std::string email = "fill" + std::to_string(i) + "@fill" + std::to_string(i) + ".ru";
    Submit(email, LeadJson(email, "Fill " + std::to_string(i), "urgent", "now", kMidMarket));
    auto a = WaitForOutcome(email, rv1::ASSIGNED);
    ASSERT_EQ(a.decision().team(), "key-accounts") << stack_->Logs("routing");
    holders.push_back(a);
  }

  // 2. Queue, weakest first, one at a time (so queue times follow this order).
  struct Queued {
    std::string name, need, timeline;
    int64_t revenue;
  };
  const std::vector<Queued> submitted = {
      {"weakest", "just_studying", "over_12m", kMidMarket},   // 5*a*1*1
      {"tie-old", "exploring", "6_12m", kMidMarket},          // 5*a*2*2
      {"tie-new", "exploring", "6_12m", kMidMarket},          // the same, queued later
      {"mid", "defined_problem", "3_6m", kSmb},               // 5*a*4*3
      {"mid-fitter", "defined_problem", "3_6m", kMidMarket},  // same product, higher total
      {"strong", "urgent", "1_3m", kMidMarket},               // 5*a*5*4
      {"strongest", "urgent", "now", kMidMarket},             // 5*a*5*5
  };
  std::map<std::string, rv1::LeadAssigned> queued;  // lead id -> its QUEUED record
  std::map<std::string, std::string> name_of;       // lead id -> name
  std::vector<std::string> fifo;                    // names in queue order
  for (const auto& q : submitted) {
    const std::string email = q.name + "@" + q.name + "-corp.ru";
    Submit(email, LeadJson(email, "Corp " + q.name, q.need, q.timeline, q.revenue));
    auto a = WaitForOutcome(email, rv1::QUEUED);
    ASSERT_EQ(a.decision().outcome(), rv1::QUEUED) << q.name << "\n" << stack_->Logs("routing");
    ASSERT_EQ(a.decision().team(), "key-accounts");
    const std::string id = a.scored().lead().meta().lead_id();
    queued[id] = a;
    name_of[id] = q.name;
    fifo.push_back(q.name);
  }
  // The order the rule asks for, from the scores the leads were queued with.
  std::vector<rv1::LeadAssigned> ranked;
  for (const auto& [id, a] : queued) ranked.push_back(a);
  auto key = [](const rv1::LeadAssigned& a) {
    const auto& t = a.decision().decided_at();
    return std::make_tuple(-a.scored().bant().product(), -a.scored().total_score(), t.seconds(),
                           t.nanos());
  };
  std::sort(ranked.begin(), ranked.end(),
            [&](const auto& x, const auto& y) { return key(x) < key(y); });
  std::vector<std::string> expected;
  for (const auto& a : ranked) expected.push_back(name_of[a.scored().lead().meta().lead_id()]);
  // The scoring model gives what the comments say: the expected order is the
  // reverse of arrival except for the tie, and the fit breaks the product tie.
  ASSERT_EQ(expected, (std::vector<std::string>{"strongest", "strong", "mid-fitter", "mid",
                                                "tie-old", "tie-new", "weakest"}))
      << "scores changed: the test's leads no longer rank as designed";
  ASSERT_NE(expected, fifo);

  // 3. Free one slot at a time; after three, lose routing's Redis state.
  std::vector<std::string> drained;
  std::vector<rv1::LeadAssigned> to_free = holders;
  for (size_t i = 0; i < expected.size(); ++i) {
    if (i == 3) {
      EXPECT_EQ(stack_->Kill("routing"), 137);
      ASSERT_TRUE(stack_->redis()
                      .Command({"EVAL",
                                "for _, k in ipairs(redis.call('KEYS', ARGV[1])) do "
                                "redis.call('DEL', k) end return 1",
                                "0", "lf:{routing}:*"})
                      .has_value());
      std::string error;
      ASSERT_TRUE(stack_->Restart("routing", &error)) << error;
      Connect();
      ASSERT_TRUE(WaitFor(
          [&] {
            return MetricValue(stack_->ports("routing").admin, "leadflow_routing_state_ready") == 1;
          },
          seconds(60)))
          << stack_->Logs("routing");
    }
    ASSERT_FALSE(to_free.empty());
    AcceptAndClose(to_free.front());
    to_free.erase(to_free.begin());
    ASSERT_TRUE(WaitFor([&] { return Drained(queued).size() >= i + 1; }, seconds(60)))
        << "no queued lead assigned after freeing slot " << i << "\n"
        << stack_->Logs("routing");
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // a second one would show
    const auto got = Drained(queued);
    ASSERT_EQ(got.size(), i + 1) << "one freed slot assigned more than one queued lead";
    for (const auto& [id, a] : got) {
      if (std::find(drained.begin(), drained.end(), name_of[id]) != drained.end()) continue;
      drained.push_back(name_of[id]);
      to_free.push_back(a);
    }
  }
  EXPECT_EQ(drained, expected);
  EXPECT_EQ(stack_->redis().Command({"ZCARD", "lf:{routing}:queue:key-accounts"}).value_or(""),
            "0");
}

}  // namespace
}  // namespace leadflow::e2e
