// The routing app against a real redis-server (FakeProducer for Kafka): the
// fixture shared by the routing integration tests.
#pragma once

#include <gtest/gtest.h>

#include "common/kafka/topics.h"
#include "common/metrics/registry.h"
#include "common/metrics/service_metrics.h"
#include "common/testing/fake_kafka.h"
#include "routing/app/routing_engine.h"
#include "routing/app/routing_grpc_service.h"
#include "routing/app/routing_keys.h"
#include "routing/app/routing_scheduler.h"
#include "routing/testing/routing_test_util.h"
#include "common/testing/redis_server.h"

namespace leadflow::routing {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;

class RoutingAppTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::RedisServer::Start({}, &error);
    ASSERT_NE(server_, nullptr) << error;
    auto client = redis::Client::Connect({server_->url()});
    ASSERT_TRUE(client.ok()) << client.status().message();
    redis_ = std::move(*client);
    policy_ = testutil::MustPolicy(testutil::SampleRules());
    // Routing's state is complete, as the rebuild from empty topics leaves it.
    ASSERT_TRUE(redis_->Run({"SET", RoutingStateKey(), "test"}).ok());
    store_ = std::make_unique<RoutingStore>(*redis_);
    metrics_ = std::make_unique<RoutingMetrics>(service_metrics_);
    engine_ = std::make_unique<RoutingEngine>(policy_, *store_, broadcaster_, *metrics_, clock_);
    feedback_ = std::make_unique<FeedbackProcessor>(policy_, *store_, *metrics_, clock_);
    grpc_ = std::make_unique<RoutingGrpcService>(policy_, *store_, producer_, broadcaster_,
                                                 *feedback_, clock_);
    scheduler_ = std::make_unique<RoutingScheduler>(policy_, engine_->rep_picker(), *store_,
                                                    producer_, broadcaster_, *metrics_, clock_);
  }

  kafka::ConsumedMessage Msg(const leadflow::scoring::v1::LeadScored& s) {
    kafka::ConsumedMessage m;
    m.topic = topics::kLeadsScored;
    m.key = s.lead().meta().account_key();
    s.SerializeToString(&m.payload);
    m.offset = offset_++;
    return m;
  }

  // The engine's outputs for one scored lead, except its leads.cohorts
  // record (the lead joined its submission cohort, cohort.h), which goes to
  // cohort_out_: most tests look at the decision's own event.
  std::vector<kafka::OutgoingMessage> Handle(const leadflow::scoring::v1::LeadScored& s) {
    std::vector<kafka::OutgoingMessage> all, out;
    Status st = engine_->Handle(Msg(s), all);
    EXPECT_TRUE(st.ok()) << st.message();
    for (auto& m : all) {
      (m.topic == topics::kLeadsCohorts ? cohort_out_ : out).push_back(std::move(m));
    }
    return out;
  }
  std::vector<kafka::OutgoingMessage> cohort_out_;

  static leadflow::scoring::v1::LeadScored Lead(const std::string& id, cv1::Segment seg,
                                                cv1::DealBand band) {
    auto s = testutil::Mql(seg, band);
    s.mutable_lead()->mutable_meta()->set_lead_id(id);
    return s;
  }

  std::string Get(const std::string& key) { return server_->Command({"GET", key}).value_or("?"); }

  std::unique_ptr<testing::RedisServer> server_;
  std::unique_ptr<redis::Client> redis_;
  metrics::Registry registry_;
  metrics::ServiceMetrics service_metrics_{registry_, "routing"};
  FakeClock clock_{1763715600000};  // Friday noon, Moscow
  testing::FakeProducer producer_;
  AssignmentBroadcaster broadcaster_;
  std::shared_ptr<const RoutingPolicy> policy_;
  std::unique_ptr<RoutingStore> store_;
  std::unique_ptr<RoutingMetrics> metrics_;
  std::unique_ptr<RoutingEngine> engine_;
  std::unique_ptr<FeedbackProcessor> feedback_;
  std::unique_ptr<RoutingGrpcService> grpc_;
  std::unique_ptr<RoutingScheduler> scheduler_;
  int64_t offset_ = 0;
};

}  // namespace leadflow::routing
