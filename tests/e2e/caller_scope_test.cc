// Closed by default, over the real service binaries (the e2e Stack) and real
// gRPC: every method that reads or changes personal data or
// state (ScoringService.Explain, NurtureService.GetEnrolment, Unsubscribe,
// SuppressTopic) refuses a call without a known caller (UNAUTHENTICATED) and a
// caller without the method's scope (PERMISSION_DENIED), with texts that say
// nothing about the data asked for, and answers a caller with the scope. The
// callers are the repository's demo callers.json (docs/security.md).
// Before callers.json, every one of these calls was answered.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "common/kafka/topics.h"
#include "leadflow/accounts/v1/accounts.pb.h"
#include "leadflow/nurture/v1/nurture.grpc.pb.h"
#include "leadflow/scoring/v1/scoring.grpc.pb.h"
#include "common/testing/kafka_test_client.h"
#include "stack.h"

namespace leadflow {
namespace {

using e2e::Stack;
using e2e::WaitFor;
using std::chrono::seconds;
namespace nv1 = leadflow::nurture::v1;
namespace sv1 = leadflow::scoring::v1;

// Demo keys of config/callers.json.
constexpr char kMarketingOps[] = "demo-key-marketing-ops";    // enrolments, unsubscribe, suppress
constexpr char kAnalyst[] = "demo-key-sales-analyst";         // explain, enrolments
constexpr char kAccountManager[] = "demo-key-account-manager";  // suppress-own, rep ka-vorontsov
constexpr char kOwnAccount[] = "7702070139";    // owner_rep_id ka-vorontsov
constexpr char kOtherAccount[] = "7728168971";  // owner_rep_id ent-morozov

class CallerScopeE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    stack_ = Stack::Start(&error);
    ASSERT_NE(stack_, nullptr) << error;
    // Two CRM accounts for nurture's registry view: one owned by the demo
    // account manager's rep, one by another rep.
    testing::KafkaTestClient client(stack_->bootstrap());
    for (const auto& [key, owner] : {std::pair{kOwnAccount, "ka-vorontsov"},
                                     std::pair{kOtherAccount, "ent-morozov"}}) {
      leadflow::accounts::v1::AccountState a;
      a.set_account_key(key);
      a.set_relationship(leadflow::common::v1::CUSTOMER);
      a.add_domains(std::string(key) + ".example");
      a.set_owner_rep_id(owner);
      ASSERT_TRUE(client.ProduceSync(topics::kAccountsChanges, key, a.SerializeAsString()).ok);
    }
    scoring_stub_ = sv1::ScoringService::NewStub(
        grpc::CreateChannel(stack_->grpc_address("scoring"), grpc::InsecureChannelCredentials()));
    nurture_stub_ = nv1::NurtureService::NewStub(
        grpc::CreateChannel(stack_->grpc_address("nurture"), grpc::InsecureChannelCredentials()));
  }

  // A client context with `key` (none when empty) and a deadline.
  static std::unique_ptr<grpc::ClientContext> Context(const std::string& key) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    if (!key.empty()) ctx->AddMetadata("x-api-key", key);
    ctx->set_deadline(std::chrono::system_clock::now() + seconds(10));
    return ctx;
  }

  grpc::Status Explain(const std::string& key, const std::string& lead_id) {
    sv1::ExplainRequest req;
    req.set_lead_id(lead_id);
    sv1::ExplainResponse resp;
    return scoring_stub_->Explain(Context(key).get(), req, &resp);
  }
  grpc::Status GetEnrolment(const std::string& key) {
    nv1::GetEnrolmentRequest req;
    req.set_contact_id("c-0123456789abcdef");
    nv1::GetEnrolmentResponse resp;
    return nurture_stub_->GetEnrolment(Context(key).get(), req, &resp);
  }
  grpc::Status Unsubscribe(const std::string& key) {
    nv1::UnsubscribeRequest req;
    req.set_contact_id("c-0123456789abcdef");
    nv1::UnsubscribeResponse resp;
    return nurture_stub_->Unsubscribe(Context(key).get(), req, &resp);
  }
  grpc::Status Suppress(const std::string& key, const std::string& account) {
    nv1::SuppressTopicRequest req;
    req.set_account_key(account);
    req.set_topic("content_outsourcing");
    nv1::SuppressTopicResponse resp;
    return nurture_stub_->SuppressTopic(Context(key).get(), req, &resp);
  }

  std::unique_ptr<Stack> stack_;
  std::unique_ptr<sv1::ScoringService::Stub> scoring_stub_;
  std::unique_ptr<nv1::NurtureService::Stub> nurture_stub_;
};

TEST_F(CallerScopeE2eTest, ExplainNeedsACallerWithLeadsExplain) {
  EXPECT_EQ(Explain("", "l-unknown").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Explain("not-a-key", "l-unknown").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  const grpc::Status denied = Explain(kMarketingOps, "l-unknown");
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // The refusal comes before the lookup: it does not name the lead.
  EXPECT_EQ(denied.error_message().find("l-unknown"), std::string::npos) << denied.error_message();
  // The scoped caller reaches the store (no such lead here).
  EXPECT_EQ(Explain(kAnalyst, "l-unknown").error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(CallerScopeE2eTest, EnrolmentsUnsubscribeAndSuppressionNeedTheirScopes) {
  for (const std::string key : {"", "not-a-key"}) {
    EXPECT_EQ(GetEnrolment(key).error_code(), grpc::StatusCode::UNAUTHENTICATED) << key;
    EXPECT_EQ(Unsubscribe(key).error_code(), grpc::StatusCode::UNAUTHENTICATED) << key;
    EXPECT_EQ(Suppress(key, "7702070139").error_code(), grpc::StatusCode::UNAUTHENTICATED) << key;
  }
  EXPECT_EQ(GetEnrolment(kAccountManager).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Unsubscribe(kAnalyst).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Suppress(kAnalyst, "7702070139").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Nothing was changed by the refused calls.
  EXPECT_EQ(stack_->redis().Command({"EXISTS", "lf:{nurture}:unsub"}).value_or(""), "0");
  EXPECT_EQ(stack_->redis().Command({"EXISTS", "lf:{nurture}:suppressed:7702070139"}).value_or(""), "0");

  EXPECT_TRUE(GetEnrolment(kAnalyst).ok());
  EXPECT_TRUE(Unsubscribe(kMarketingOps).ok());
  EXPECT_TRUE(Suppress(kMarketingOps, "7702070139").ok());
  // An account manager: their own account (once nurture's registry view has
  // it), not another rep's, and an unknown account reads like another rep's.
  EXPECT_TRUE(WaitFor([&] { return Suppress(kAccountManager, kOwnAccount).ok(); }, seconds(20)))
      << Suppress(kAccountManager, kOwnAccount).error_message();
  EXPECT_EQ(Suppress(kAccountManager, kOtherAccount).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Suppress(kAccountManager, "0000000000").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace leadflow
