// Buying committees (docs/domain-rules.md §2, issue 18 point 4) over the real
// binaries (intake, scoring, routing, nurture), devkafka and redis-server with
// the shipped config/:
//   1. Leads of one prospect account, one after another: an engineer, the
//      head of procurement, then the general director. Each lead's
//      LeadAssigned shows the account's coverage as of its intake: {TECHNICAL}
//      with no decision maker, then {ECONOMIC, TECHNICAL} still without one,
//      then a decision maker known. Routing's GetLead and WatchAssignments show the
//      same coverage over gRPC. The partial account is counted in
//      leadflow_intake_accounts_partial_coverage.
//   2. The coverage survives an intake SIGKILL and restart: an end user's lead
//      after it sees the three earlier contacts and completes the committee.
// Before this, leads carried no coverage (Company.coverage unset).
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/kafka/topics.h"
#include "leadflow/routing/v1/routing.grpc.pb.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "services/common/testing/kafka_test_client.h"
#include "stack.h"

namespace leadflow::e2e {
namespace {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;
using std::chrono::seconds;

// The shipped demo API key of the key-accounts sales tool (config/README.md).
constexpr char kKeyAccountsKey[] = "demo-key-key-accounts";
constexpr char kAccount[] = "ural-turbines.ru";

// A leads.submitted JSON form event of the account: a deal of 80 mln, so the
// large-deal rule sends each lead to key-accounts (LeadAssigned) whatever its score.
std::string LeadJson(const std::string& email, const std::string& title) {
  return R"({"source_id":"web-form-main","email":")" + email +
         R"(","company_name":"ООО «Уральские турбины»","job_title":")" + title +
         R"(","industry":"manufacturing","headcount":800,"region":"RU-SVE",)"
         R"("annual_revenue_rub":"5000000000","expected_deal_rub":"80000000",)"
         R"("intent":"download_whitepaper","channel":"direct","consent":true,)"
         R"("answers":{"budget":"over_50m","need":"just_studying","timeline":"over_12m"}})";
}

std::vector<int> Classes(const google::protobuf::RepeatedField<int>& classes) {
  return {classes.begin(), classes.end()};
}

class BuyingCommitteeE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    stack_ = Stack::Start(&error);
    ASSERT_TRUE(stack_) << error;
    kafka_ = std::make_unique<testing::KafkaTestClient>(stack_->bootstrap());
    stub_ = rv1::RoutingService::NewStub(
        grpc::CreateChannel(stack_->grpc_address("routing"), grpc::InsecureChannelCredentials()));
  }

  void Submit(const std::string& email, const std::string& title) {
    ASSERT_TRUE(kafka_
                    ->ProduceSync(topics::kLeadsSubmitted, email, LeadJson(email, title),
                                  {{topics::kContentTypeHeader, "application/json"}})
                    .ok);
  }

  // The LeadAssigned of `email` (an empty record on timeout).
  rv1::LeadAssigned WaitForAssigned(const std::string& email) {
    rv1::LeadAssigned found;
    WaitFor(
        [&] {
          const int64_t n = kafka_->CountMessages(topics::kLeadsAssigned, seconds(5));
          if (n <= 0) return false;
          for (const auto& m :
               kafka_->ConsumeAll(topics::kLeadsAssigned, static_cast<size_t>(n), seconds(5))) {
            rv1::LeadAssigned a;
            if (a.ParseFromString(m.value) && a.scored().lead().contact().email() == email) {
              found = a;
              return true;
            }
          }
          return false;
        },
        seconds(30));
    return found;
  }

  std::unique_ptr<Stack> stack_;
  std::unique_ptr<testing::KafkaTestClient> kafka_;
  std::unique_ptr<rv1::RoutingService::Stub> stub_;
};

TEST_F(BuyingCommitteeE2E, EveryAssignmentShowsTheAccountsCoverageAndItSurvivesAnIntakeRestart) {
  // 1. An engineer: the technical buyer, an influencer.
  Submit("engineer@ural-turbines.ru", "инженер");
  const auto first = WaitForAssigned("engineer@ural-turbines.ru");
  ASSERT_TRUE(first.has_scored()) << stack_->Logs("intake") << stack_->Logs("routing");
  const auto& c1 = first.scored().lead().company().coverage();
  EXPECT_TRUE(c1.known());
  EXPECT_EQ(c1.account_key(), kAccount);
  EXPECT_EQ(Classes(c1.engaged_classes()), (std::vector<int>{cv1::TECHNICAL}));
  EXPECT_FALSE(c1.decision_maker_known());
  EXPECT_EQ(c1.known_contacts(), 1);

  // 2. The head of procurement: an economic buyer, still no decision maker.
  Submit("zakupki@ural-turbines.ru", "руководитель закупок");
  const auto second = WaitForAssigned("zakupki@ural-turbines.ru");
  ASSERT_TRUE(second.has_scored()) << stack_->Logs("intake");
  const auto& c2 = second.scored().lead().company().coverage();
  EXPECT_EQ(Classes(c2.engaged_classes()), (std::vector<int>{cv1::ECONOMIC, cv1::TECHNICAL}));
  EXPECT_EQ(Classes(c2.missing_classes()), (std::vector<int>{cv1::END_USER}));
  EXPECT_FALSE(c2.decision_maker_known());
  EXPECT_EQ(c2.known_contacts(), 2);
  EXPECT_FALSE(c2.complete());

  // ... and the same over routing's gRPC, for the key-accounts sales tool.
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-api-key", kKeyAccountsKey);
    ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
    rv1::GetLeadRequest req;
    req.set_lead_id(second.scored().lead().meta().lead_id());
    rv1::LeadView view;
    auto st = stub_->GetLead(&ctx, req, &view);
    ASSERT_TRUE(st.ok()) << st.error_message();
    const auto& shown = view.record().scored().lead().company().coverage();
    EXPECT_EQ(shown.SerializeAsString(), c2.SerializeAsString()) << shown.DebugString();
  }

  // The partial account is counted (the gauge refreshes every 15 s).
  const int admin = stack_->ports("intake").admin;
  const std::string series = "leadflow_intake_accounts_partial_coverage{relationship=\"PROSPECT\"}";
  EXPECT_TRUE(WaitFor([&] { return MetricValue(admin, series) == 1; }, seconds(20)))
      << MetricValue(admin, series);

  // 3. The general director: a decision maker. The team's WatchAssignments
  // stream shows the coverage too.
  grpc::ClientContext watch_ctx;
  watch_ctx.AddMetadata("x-api-key", kKeyAccountsKey);
  rv1::WatchAssignmentsRequest watch;
  watch.set_team("key-accounts");
  std::mutex mu;
  std::vector<rv1::LeadAssigned> streamed;
  std::thread reader([&] {
    auto stream = stub_->WatchAssignments(&watch_ctx, watch);
    rv1::LeadAssigned a;
    while (stream->Read(&a)) {
      std::lock_guard<std::mutex> lock(mu);
      streamed.push_back(a);
    }
    stream->Finish();
  });
  Submit("gd@ural-turbines.ru", "генеральный директор");
  const auto third = WaitForAssigned("gd@ural-turbines.ru");
  rv1::LeadAssigned watched;
  const bool seen = WaitFor(
      [&] {
        std::lock_guard<std::mutex> lock(mu);
        for (const auto& a : streamed) {
          if (a.scored().lead().contact().email() == "gd@ural-turbines.ru") {
            watched = a;
            return true;
          }
        }
        return false;
      },
      seconds(20));
  watch_ctx.TryCancel();
  reader.join();
  ASSERT_TRUE(third.has_scored()) << stack_->Logs("intake");
  const auto& c3 = third.scored().lead().company().coverage();
  EXPECT_TRUE(c3.decision_maker_known());
  EXPECT_EQ(c3.known_contacts(), 3);
  EXPECT_FALSE(c3.complete()) << "no end user yet";
  ASSERT_TRUE(seen) << "the lead never came on the key-accounts stream";
  EXPECT_EQ(watched.scored().lead().company().coverage().SerializeAsString(),
            c3.SerializeAsString());

  // 4. Intake is killed and restarted; the account's contacts are still known.
  EXPECT_EQ(stack_->Kill("intake"), 137);
  std::string error;
  ASSERT_TRUE(stack_->Restart("intake", &error)) << error;
  Submit("manager@ural-turbines.ru", "менеджер");
  const auto fourth = WaitForAssigned("manager@ural-turbines.ru");
  ASSERT_TRUE(fourth.has_scored()) << stack_->Logs("intake");
  const auto& c4 = fourth.scored().lead().company().coverage();
  EXPECT_EQ(c4.known_contacts(), 4) << c4.DebugString();
  EXPECT_EQ(Classes(c4.engaged_classes()),
            (std::vector<int>{cv1::ECONOMIC, cv1::TECHNICAL, cv1::END_USER}));
  EXPECT_TRUE(c4.complete());
}

}  // namespace
}  // namespace leadflow::e2e
