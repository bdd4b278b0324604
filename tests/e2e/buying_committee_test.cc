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
//   2. The coverage survives an intake SIGKILL and the loss of its Redis keys
//      (rebuilt from accounts.contacts, where each lead's contact is): an end
//      user's lead after it sees the three earlier contacts and completes the
//      committee.
//   3. Nurture aims a contact at the class its account lacks: an engineer of
//      an account without an economic buyer gets the economic-gap track. A
//      customer account known as one contact is flagged to its owner
//      (SINGLE_CONTACT on accounts.notifications) once, not again when a
//      second contact arrives.
// Before this, leads carried no coverage (Company.coverage unset).
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/kafka/topics.h"
#include "leadflow/accounts/v1/accounts.pb.h"
#include "leadflow/intake/v1/intake.pb.h"
#include "leadflow/nurture/v1/nurture.pb.h"
#include "leadflow/routing/v1/routing.grpc.pb.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "common/testing/kafka_test_client.h"
#include "stack.h"

namespace leadflow::e2e {
namespace {

namespace cv1 = leadflow::common::v1;
namespace iv1 = leadflow::intake::v1;
namespace nv1 = leadflow::nurture::v1;
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
  static void SetUpTestSuite() {
    std::string error;
    stack_ = Stack::Start(&error).release();
    ASSERT_NE(stack_, nullptr) << error;
    kafka_ = new testing::KafkaTestClient(stack_->bootstrap());
    stub_ = rv1::RoutingService::NewStub(grpc::CreateChannel(stack_->grpc_address("routing"),
                                                             grpc::InsecureChannelCredentials()))
                .release();
  }
  static void TearDownTestSuite() {
    delete stub_;
    stub_ = nullptr;
    delete kafka_;
    kafka_ = nullptr;
    delete stack_;
    stack_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(stack_, nullptr) << "the stack did not start (see above)"; }

  static void Submit(const std::string& email, const std::string& title,
                     const std::string& json = "") {
    ASSERT_TRUE(kafka_
                    ->ProduceSync(topics::kLeadsSubmitted, email,
                                  json.empty() ? LeadJson(email, title) : json,
                                  {{topics::kContentTypeHeader, "application/json"}})
                    .ok);
  }

  // The first record of `email` on `topic` (a LeadAssigned, NurtureRequested
  // or CustomerInbound: each starts with the scored lead), empty on timeout.
  template <typename Record>
  static Record WaitForLead(const char* topic, const std::string& email) {
    Record found;
    WaitFor(
        [&] {
          const int64_t n = kafka_->CountMessages(topic, seconds(5));
          if (n <= 0) return false;
          for (const auto& m : kafka_->ConsumeAll(topic, static_cast<size_t>(n), seconds(5))) {
            Record a;
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
  static rv1::LeadAssigned WaitForAssigned(const std::string& email) {
    return WaitForLead<rv1::LeadAssigned>(topics::kLeadsAssigned, email);
  }
  static std::vector<nv1::AccountNotification> Notifications(nv1::NotificationKind kind) {
    std::vector<nv1::AccountNotification> out;
    const int64_t n = kafka_->CountMessages(topics::kAccountsNotifications, seconds(5));
    if (n <= 0) return out;
    for (const auto& m :
         kafka_->ConsumeAll(topics::kAccountsNotifications, static_cast<size_t>(n), seconds(5))) {
      nv1::AccountNotification a;
      if (a.ParseFromString(m.value) && a.kind() == kind) out.push_back(a);
    }
    return out;
  }

  static Stack* stack_;
  static testing::KafkaTestClient* kafka_;
  static rv1::RoutingService::Stub* stub_;
};

Stack* BuyingCommitteeE2E::stack_ = nullptr;
testing::KafkaTestClient* BuyingCommitteeE2E::kafka_ = nullptr;
rv1::RoutingService::Stub* BuyingCommitteeE2E::stub_ = nullptr;

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

  // Each lead's contact is on accounts.contacts, keyed by account and contact.
  int on_topic = 0;
  for (const auto& m : kafka_->ConsumeAll(topics::kAccountsContacts, 3, seconds(10))) {
    iv1::AccountContactSeen seen;
    if (m.key.rfind(std::string(kAccount) + "|c-", 0) == 0 && seen.ParseFromString(m.value) &&
        seen.account_key() == kAccount) {
      ++on_topic;
    }
  }
  EXPECT_EQ(on_topic, 3);

  // 4. Intake is killed, its coverage lost from Redis (the contacts and the
  // view's bookkeeping) and restarted: the view rebuilds from accounts.contacts
  // and the account's contacts are still known.
  EXPECT_EQ(stack_->Kill("intake"), 137);
  ASSERT_TRUE(stack_->redis()
                  .Command({"DEL", std::string("lf:{intake}:cov:") + kAccount,
                            "lf:{intake}:view:coverage:pos", "lf:{intake}:view:coverage:ready"})
                  .has_value());
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

TEST_F(BuyingCommitteeE2E, NurtureAimsAtTheMissingClassAndFlagsALonelyCustomerChannel) {
  // A prospect account's first contact, an engineer evaluating vendors
  // (a demo request) with weak answers, below the MQL threshold: nurture. The account has no
  // economic buyer yet, so the engineer gets content to forward to the CFO.
  const std::string engineer = "engineer@sever-metall.ru";
  Submit(engineer, "",
         R"({"source_id":"web-form-main","email":")" + engineer +
             R"(","company_name":"АО «Северный металл»","job_title":"инженер",)"
             R"("industry":"manufacturing","headcount":300,"region":"RU-MOW",)"
             R"("annual_revenue_rub":"3000000000","intent":"request_demo",)"
             R"("channel":"direct","consent":true,"answers":{"budget":"5_20m"}})");
  const auto requested = WaitForLead<rv1::NurtureRequested>(topics::kLeadsNurture, engineer);
  ASSERT_TRUE(requested.has_scored()) << stack_->Logs("routing");
  const auto& coverage = requested.scored().lead().company().coverage();
  EXPECT_TRUE(coverage.known());
  EXPECT_EQ(Classes(coverage.missing_classes()), (std::vector<int>{cv1::ECONOMIC, cv1::END_USER}));
  const std::string lead_id = requested.scored().lead().meta().lead_id();
  std::string track;
  EXPECT_TRUE(WaitFor(
      [&] {
        const int64_t n = kafka_->CountMessages(topics::kNurtureTouches, seconds(5));
        if (n <= 0) return false;
        for (const auto& m :
             kafka_->ConsumeAll(topics::kNurtureTouches, static_cast<size_t>(n), seconds(5))) {
          nv1::Touch t;
          if (t.ParseFromString(m.value) && t.lead_id() == lead_id) {
            track = t.track_id();
            return true;
          }
        }
        return false;
      },
      seconds(30)))
      << stack_->Logs("nurture");
  EXPECT_EQ(track, "prospect-gap-economic-buyer");

  // A customer account the CRM lists with its owner but no contacts: its
  // first lead is its only known contact, and the owner is told once.
  leadflow::accounts::v1::AccountState customer;
  customer.set_account_key("7701234567");
  customer.set_relationship(cv1::CUSTOMER);
  customer.set_name("АО «Волга Энерго»");
  customer.add_domains("volga-energo.ru");
  customer.set_inn("7701234567");
  customer.set_owner_rep_id("ka-belova");
  customer.set_owner_team("key-accounts");
  ASSERT_TRUE(kafka_
                  ->ProduceSync(topics::kAccountsChanges, customer.account_key(),
                                customer.SerializeAsString())
                  .ok);
  ASSERT_TRUE(WaitFor(
      [&] {
        return stack_->redis().Command({"EXISTS", "lf:{intake}:acct:7701234567"}).value_or("") ==
                   "1" &&
               stack_->redis().Command({"EXISTS", "lf:{nurture}:acct:7701234567"}).value_or("") ==
                   "1";
      },
      seconds(20)));
  Submit("it@volga-energo.ru", "ИТ-директор");
  std::vector<nv1::AccountNotification> flagged;
  ASSERT_TRUE(WaitFor(
      [&] {
        flagged = Notifications(nv1::SINGLE_CONTACT);
        return !flagged.empty();
      },
      seconds(30)))
      << "no SINGLE_CONTACT notification\n"
      << stack_->Logs("nurture");
  EXPECT_EQ(flagged[0].account_key(), "7701234567");
  EXPECT_EQ(flagged[0].owner_rep_id(), "ka-belova");
  EXPECT_EQ(flagged[0].coverage().known_contacts(), 1);
  EXPECT_EQ(flagged[0].SerializeAsString().find("it@volga-energo.ru"), std::string::npos);

  // A second contact of that account: two channels, nobody is told again.
  Submit("cfo@volga-energo.ru", "финансовый директор");
  const auto second =
      WaitForLead<rv1::CustomerInbound>(topics::kAccountsInbound, "cfo@volga-energo.ru");
  ASSERT_TRUE(second.has_scored());
  EXPECT_EQ(second.scored().lead().company().coverage().known_contacts(), 2);
  // Nurture has handled it once its lead index exists.
  EXPECT_TRUE(WaitFor(
      [&] {
        return stack_->redis()
                   .Command(
                       {"EXISTS", "lf:{nurture}:lead:" + second.scored().lead().meta().lead_id()})
                   .value_or("") == "1";
      },
      seconds(30)));
  EXPECT_EQ(Notifications(nv1::SINGLE_CONTACT).size(), 1u);
}

}  // namespace
}  // namespace leadflow::e2e
