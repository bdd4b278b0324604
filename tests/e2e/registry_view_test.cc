// The customer/prospect wall holds when Redis does not: intake's and
// nurture's registry views are rebuilt from accounts.changes and refuse to
// answer until they have caught up, so a listed customer contact is never
// taken for a PROSPECT. Three ways to lose the view, over the real binaries,
// devkafka and redis-server:
//   1. a fresh intake and nurture start on an empty Redis with the registry
//      already on the topic;
//   2. Redis loses its data (FLUSHALL) under the running services;
//   3. Redis restarts without persistence under the running services.
// In each, the customer's first lead is submitted at once (gRPC, retried
// while intake answers UNAVAILABLE) and must be CUSTOMER, on the answer and
// on leads.accepted; and a nurture request for a customer contact stamped
// PROSPECT upstream (as routing would stamp a lead classified before the CRM
// change) must produce a CUSTOMER touch, never a prospect one.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <thread>

#include "common/kafka/topics.h"
#include "leadflow/accounts/v1/accounts.pb.h"
#include "leadflow/intake/v1/intake.grpc.pb.h"
#include "leadflow/nurture/v1/nurture.pb.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "nurture_e2e_util.h"
#include "common/testing/kafka_test_client.h"
#include "stack.h"

namespace leadflow::e2e {
namespace {

namespace cv1 = leadflow::common::v1;
namespace iv1 = leadflow::intake::v1;
namespace nv1 = leadflow::nurture::v1;
namespace rv1 = leadflow::routing::v1;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Enough accounts that a rebuild takes a noticeable moment, so leads do
// arrive while the view is incomplete.
constexpr int kFillerAccounts = 1500;

leadflow::accounts::v1::AccountState Account(const std::string& key, const std::string& domain,
                                             cv1::Relationship r) {
  leadflow::accounts::v1::AccountState a;
  a.set_account_key(key);
  a.set_relationship(r);
  a.set_name(domain);
  a.add_domains(domain);
  a.set_owner_rep_id("ka-vorontsov");
  a.set_owner_team("key-accounts");
  return a;
}

class RegistryViewE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    dir_ = testing::TempDir::Create("registry-view-e2e", &error);
    ASSERT_TRUE(dir_) << error;
    WriteTestConfig(*dir_, NurtureTiming{}, &error);  // no quiet hours: the first touch goes out
    ASSERT_TRUE(error.empty()) << error;
    StackOptions o;
    o.config_dir = dir_->path();
    o.env["nurture"]["LEADFLOW_NURTURE_TIME_SCALE"] = "60";
    stack_ = Stack::Start(o, &error);
    ASSERT_TRUE(stack_) << error;
    kafka_ = std::make_unique<testing::KafkaTestClient>(stack_->bootstrap());
    // The CRM registry: many accounts, among them the customer VTB.
    auto vtb = Account("7702070139", "vtb.ru", cv1::CUSTOMER);
    vtb.set_inn("7702070139");
    vtb.add_contact_emails("a.smirnov@vtb.ru");
    vtb.add_contact_emails("d.zhukov@vtb.ru");
    vtb.add_contact_emails("e.kovaleva@vtb.ru");
    ASSERT_TRUE(kafka_->ProduceSync(topics::kAccountsChanges, vtb.account_key(),
                                    vtb.SerializeAsString()).ok);
    for (int i = 0; i < kFillerAccounts; ++i) {
      const std::string d = "filler" + std::to_string(i) + ".ru";
      auto a = Account(d, d, i % 3 == 0 ? cv1::CUSTOMER : cv1::PROSPECT);
      ASSERT_TRUE(kafka_->ProduceSync(topics::kAccountsChanges, d, a.SerializeAsString()).ok);
    }
    ASSERT_TRUE(WaitFor([&] { return Ready("intake") && Ready("nurture"); }, seconds(60)))
        << ReadyBody("intake") << ReadyBody("nurture");
    template_request_ = NurtureTemplate();
  }

  bool Ready(const std::string& service) {
    int status = 0;
    HttpGet(stack_->ports(service).admin, "/readyz", &status);
    return status == 200;
  }
  std::string ReadyBody(const std::string& service) {
    return service + ": " + HttpGet(stack_->ports(service).admin, "/readyz");
  }

  // Submits a listed customer contact's lead over gRPC at once, retrying while
  // intake answers UNAVAILABLE; every other answer must say CUSTOMER.
  std::string SubmitCustomerLead(const std::string& email, int* refused) {
    auto stub = iv1::IntakeService::NewStub(grpc::CreateChannel(
        stack_->grpc_address("intake"), grpc::InsecureChannelCredentials()));
    iv1::LeadSubmission lead;
    lead.set_source_id("web-form-main");
    lead.set_email(email);
    lead.set_full_name("Андрей Смирнов");
    lead.set_job_title("Директор по ИТ");
    lead.set_company_name("Банк ВТБ (ПАО)");
    lead.set_industry("banking");
    lead.set_region("RU-MOW");
    lead.set_consent(true);
    const auto deadline = std::chrono::steady_clock::now() + seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + seconds(10));
      ctx.AddMetadata("x-api-key", "demo-key-web");
      iv1::SubmitLeadRequest req;
      *req.mutable_lead() = lead;
      iv1::SubmitLeadResponse resp;
      const grpc::Status st = stub->SubmitLead(&ctx, req, &resp);
      if (st.error_code() == grpc::StatusCode::UNAVAILABLE) {
        ++*refused;
        std::this_thread::sleep_for(milliseconds(20));
        continue;
      }
      EXPECT_TRUE(st.ok()) << st.error_message();
      return resp.lead_id();  // the relationship shows on leads.accepted only
    }
    ADD_FAILURE() << "intake never answered for " << email;
    return "";
  }

  // leads.accepted must carry the lead as CUSTOMER.
  void ExpectAcceptedAsCustomer(const std::string& lead_id) {
    bool found = false;
    ASSERT_TRUE(WaitFor(
        [&] {
          const int64_t n = kafka_->CountMessages(topics::kLeadsAccepted, seconds(10));
          for (const auto& m : kafka_->ConsumeAll(topics::kLeadsAccepted,
                                                  static_cast<size_t>(std::max<int64_t>(n, 0)))) {
            iv1::LeadAccepted a;
            if (!a.ParseFromString(m.value) || a.meta().lead_id() != lead_id) continue;
            EXPECT_EQ(a.meta().relationship(), cv1::CUSTOMER) << lead_id;
            found = true;
          }
          return found;
        },
        seconds(30)));
  }

  // A real NurtureRequested (a low-intent prospect routed to nurture), to
  // copy for the customer contacts below.
  rv1::NurtureRequested NurtureTemplate() {
    EXPECT_TRUE(kafka_->ProduceSync(topics::kLeadsSubmitted, "e2e",
                                    LeadJson("ivan@smallfirm.ru", "Малая фирма", "Менеджер",
                                             "newsletter"))
                    .ok);
    rv1::NurtureRequested r;
    EXPECT_TRUE(WaitFor(
        [&] {
          auto got = kafka_->ConsumeAll(topics::kLeadsNurture, 1, seconds(5));
          return !got.empty() && r.ParseFromString(got.front().value);
        },
        seconds(60)));
    return r;
  }

  // A nurture request for a VTB contact, stamped PROSPECT upstream; nurture's
  // own view must put it on a customer track.
  void RequestNurtureFor(const std::string& email, const std::string& lead_id) {
    rv1::NurtureRequested r = template_request_;
    auto* lead = r.mutable_scored()->mutable_lead();
    lead->mutable_meta()->set_lead_id(lead_id);
    lead->mutable_meta()->set_relationship(cv1::PROSPECT);
    lead->mutable_meta()->set_account_key("vtb.ru");
    lead->mutable_contact()->set_email(email);
    lead->mutable_contact()->set_contact_id("c-" + lead_id);
    lead->mutable_company()->set_domain("vtb.ru");
    lead->mutable_company()->set_inn("7702070139");
    ASSERT_TRUE(kafka_->ProduceSync(topics::kLeadsNurture, "vtb.ru", r.SerializeAsString()).ok);
  }

  // The first touch of `lead_id` must be a CUSTOMER one.
  void ExpectCustomerTouch(const std::string& lead_id) {
    bool found = false;
    ASSERT_TRUE(WaitFor(
        [&] {
          const int64_t n = kafka_->CountMessages(topics::kNurtureTouches, seconds(10));
          for (const auto& m : kafka_->ConsumeAll(topics::kNurtureTouches,
                                                  static_cast<size_t>(std::max<int64_t>(n, 0)))) {
            nv1::Touch t;
            if (!t.ParseFromString(m.value) || t.lead_id() != lead_id) continue;
            EXPECT_EQ(t.audience(), cv1::CUSTOMER)
                << lead_id << " got a touch of track " << t.track_id();
            found = true;
          }
          return found;
        },
        seconds(60)))
        << "no touch for " << lead_id << "\n"
        << stack_->Logs("nurture");
  }

  void ExpectRebuilt(const std::string& service) {
    ASSERT_TRUE(WaitFor([&] { return Ready(service); }, seconds(60))) << ReadyBody(service);
    EXPECT_EQ(MetricValue(stack_->ports(service).admin,
                     "leadflow_" + service + "_view_ready{view=\"accounts\"}"),
              1);
    EXPECT_GE(MetricValue(stack_->ports(service).admin,
                     "leadflow_" + service + "_view_records{view=\"accounts\"}"),
              kFillerAccounts + 1);
  }

  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<Stack> stack_;
  std::unique_ptr<testing::KafkaTestClient> kafka_;
  rv1::NurtureRequested template_request_;
};

TEST_F(RegistryViewE2E, ListedCustomersStayCustomersThroughEveryLossOfTheView) {
  int refused = 0;
  std::string error;

  // 1. Fresh intake and nurture on an empty Redis, registry already on the topic.
  ASSERT_EQ(stack_->Terminate("intake"), 0);
  ASSERT_EQ(stack_->Terminate("nurture"), 0);
  ASSERT_TRUE(stack_->redis().Command({"FLUSHALL"}).has_value());
  ASSERT_TRUE(stack_->Restart("intake", &error)) << error;
  ASSERT_TRUE(stack_->Restart("nurture", &error)) << error;
  RequestNurtureFor("e.kovaleva@vtb.ru", "view-fresh");
  ExpectAcceptedAsCustomer(SubmitCustomerLead("a.smirnov@vtb.ru", &refused));
  ExpectCustomerTouch("view-fresh");
  ExpectRebuilt("intake");
  ExpectRebuilt("nurture");
  std::printf("[fresh start] leads refused as UNAVAILABLE while the view was built: %d\n", refused);

  // 2. Redis loses its data under the running services.
  refused = 0;
  ASSERT_TRUE(stack_->redis().Command({"FLUSHALL"}).has_value());
  RequestNurtureFor("e.kovaleva@vtb.ru", "view-flushed");
  ExpectAcceptedAsCustomer(SubmitCustomerLead("d.zhukov@vtb.ru", &refused));
  ExpectCustomerTouch("view-flushed");
  ExpectRebuilt("intake");
  ExpectRebuilt("nurture");
  EXPECT_GE(MetricValue(stack_->ports("intake").admin,
                   "leadflow_intake_view_rebuilds_total{cause=\"reset\",view=\"accounts\"}"),
            1);
  std::printf("[flushall] leads refused as UNAVAILABLE while the view was rebuilt: %d\n", refused);

  // 3. Redis restarts without persistence under the running services.
  refused = 0;
  ASSERT_TRUE(stack_->redis().Restart(&error)) << error;
  RequestNurtureFor("e.kovaleva@vtb.ru", "view-restarted");
  ExpectAcceptedAsCustomer(SubmitCustomerLead("e.kovaleva@vtb.ru", &refused));
  ExpectCustomerTouch("view-restarted");
  ExpectRebuilt("intake");
  ExpectRebuilt("nurture");
  std::printf("[redis restart] leads refused as UNAVAILABLE while the view was rebuilt: %d\n",
              refused);
}

}  // namespace
}  // namespace leadflow::e2e
