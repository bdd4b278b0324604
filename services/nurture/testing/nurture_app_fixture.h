// The nurture app against a real redis-server (FakeProducer for Kafka): the
// fixture shared by the nurture integration tests.
#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "common/kafka/topics.h"
#include "common/metrics/registry.h"
#include "common/metrics/service_metrics.h"
#include "common/testing/fake_kafka.h"
#include "leadflow/accounts/v1/accounts.pb.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "nurture/app/nurture_engine.h"
#include "nurture/app/nurture_grpc_service.h"
#include "nurture/testing/nurture_test_util.h"
#include "common/testing/redis_server.h"
#include "common/testing/fixed_caller.h"
#include "common/testing/registry_seeder.h"
#include "common/auth/scopes.h"

namespace leadflow::nurture {

namespace cv1 = leadflow::common::v1;
namespace nv1 = leadflow::nurture::v1;
namespace rv1 = leadflow::routing::v1;

inline constexpr int64_t kHour = 3600 * 1000;

class NurtureAppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::RedisServer::Start({}, &error);
    ASSERT_NE(server_, nullptr) << error;
    auto client = redis::Client::Connect({server_->url()});
    ASSERT_TRUE(client.ok()) << client.status().message();
    redis_ = std::move(*client);
    policy_ = testutil::MustPolicy(testutil::SampleConfig());
    store_ = std::make_unique<NurtureStore>(*redis_);
    accounts_ = std::make_unique<registry::AccountRegistry>(*redis_, "nurture");
    // The registry view as the running service has it once caught up with an
    // empty accounts.changes; tests add accounts with seeder_.
    seeder_ = std::make_unique<testing::RegistrySeeder>(*redis_, "nurture");
    ASSERT_TRUE(seeder_->MarkReady().ok());
    metrics_ = std::make_unique<NurtureMetrics>(service_metrics_);
    engine_ =
        std::make_unique<NurtureEngine>(policy_, *store_, *accounts_, producer_, *metrics_, clock_);
    grpc_ = std::make_unique<NurtureGrpcService>(caller_, policy_, *store_, *accounts_, *metrics_);
  }

  // A prospect that selects "p-general" (steps at 0 h, 24 h, 48 h).
  static rv1::NurtureRequested Request(const std::string& lead_id) {
    rv1::NurtureRequested r;
    auto* lead = r.mutable_scored()->mutable_lead();
    lead->mutable_meta()->set_lead_id(lead_id);
    lead->mutable_meta()->set_trace_id("trace-" + lead_id);
    lead->mutable_meta()->set_account_key("acme.ru");
    lead->mutable_meta()->set_relationship(cv1::PROSPECT);
    lead->mutable_contact()->set_contact_id("contact-" + lead_id);
    lead->mutable_contact()->set_email(lead_id + "@acme.ru");
    lead->mutable_company()->set_domain("acme.ru");
    r.mutable_scored()->set_segment(cv1::MID_MARKET);
    return r;
  }

  kafka::ConsumedMessage Msg(const rv1::NurtureRequested& r) {
    kafka::ConsumedMessage m;
    m.topic = topics::kLeadsNurture;
    m.key = r.scored().lead().meta().account_key();
    r.SerializeToString(&m.payload);
    return m;
  }

  void Enrol(const rv1::NurtureRequested& r) {
    std::vector<kafka::OutgoingMessage> out;
    Status s = engine_->Handle(Msg(r), out);
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_TRUE(out.empty());
  }

  int Poll() {
    auto n = engine_->PollOnce();
    EXPECT_TRUE(n.ok()) << n.status().message();
    return n.ok() ? *n : -1;
  }

  std::vector<nv1::Touch> Touches() {
    std::vector<nv1::Touch> out;
    for (const auto& m : producer_.SentTo(topics::kNurtureTouches)) {
      nv1::Touch t;
      EXPECT_TRUE(t.ParseFromString(m.payload));
      EXPECT_EQ(m.key, t.contact_id());
      out.push_back(t);
    }
    return out;
  }

  static std::string CustomerAccount(const std::string& domain) {
    leadflow::accounts::v1::AccountState acct;
    acct.set_account_key(domain);
    acct.set_relationship(cv1::CUSTOMER);
    acct.add_domains(domain);
    acct.set_owner_rep_id("owner-1");
    return acct.SerializeAsString();
  }

  std::map<std::string, nv1::Enrolment> Enrolments(const std::string& contact_id) {
    nv1::GetEnrolmentRequest req;
    req.set_contact_id(contact_id);
    nv1::GetEnrolmentResponse resp;
    EXPECT_TRUE(grpc_->GetEnrolment(&ctx_, &req, &resp).ok());
    std::map<std::string, nv1::Enrolment> out;
    for (const auto& e : resp.enrolments()) out[e.enrolment_id()] = e;
    return out;
  }

  nv1::Enrolment EnrolmentOf(const std::string& lead_id) {
    nv1::GetEnrolmentRequest req;
    req.set_lead_id(lead_id);
    nv1::GetEnrolmentResponse resp;
    EXPECT_TRUE(grpc_->GetEnrolment(&ctx_, &req, &resp).ok());
    EXPECT_EQ(resp.enrolments_size(), 1);
    return resp.enrolments_size() ? resp.enrolments(0) : nv1::Enrolment();
  }

  std::unique_ptr<testing::RedisServer> server_;
  std::unique_ptr<redis::Client> redis_;
  metrics::Registry registry_;
  metrics::ServiceMetrics service_metrics_{registry_, "nurture"};
  FakeClock clock_{1763715600000};
  testing::FakeProducer producer_;
  std::shared_ptr<const NurturePolicy> policy_;
  std::unique_ptr<NurtureStore> store_;
  std::unique_ptr<registry::AccountRegistry> accounts_;
  std::unique_ptr<testing::RegistrySeeder> seeder_;
  std::unique_ptr<NurtureMetrics> metrics_;
  std::unique_ptr<NurtureEngine> engine_;
  // Logic tests call the service directly as a caller with every scope; the
  // refusals are tested over gRPC (tests/e2e/audience_wall_test.cc).
  testing::FixedCaller caller_ = testing::FixedCaller::With(
      {auth::scopes::kReadEnrolments, auth::scopes::kUnsubscribe, auth::scopes::kSuppressAnyTopic});
  std::unique_ptr<NurtureGrpcService> grpc_;
  grpc::ServerContext ctx_;  // carries no credentials: caller_ answers for it
};

}  // namespace leadflow::nurture
