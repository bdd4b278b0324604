// Routing's consent gate and erasure against a real redis-server.
#include "routing/app/routing_privacy.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "common/kafka/topics.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "routing/app/routing_keys.h"
#include "common/testing/redis_server.h"

namespace leadflow::routing {
namespace {

using google::protobuf::util::TimeUtil;
namespace cv1 = leadflow::common::v1;
namespace ev1 = leadflow::engagement::v1;

constexpr char kAnna[] = "c-00000000000000a1";
constexpr char kBoris[] = "c-00000000000000b2";

leadflow::scoring::v1::LeadScored Scored(const std::string& contact, const std::string& lead,
                                         int64_t submitted_ms) {
  leadflow::scoring::v1::LeadScored s;
  auto* l = s.mutable_lead();
  l->mutable_meta()->set_lead_id(lead);
  l->mutable_meta()->set_relationship(cv1::PROSPECT);
  l->mutable_meta()->set_account_key("anna@gmail.com");
  *l->mutable_meta()->mutable_first_submitted_at() = TimeUtil::MillisecondsToTimestamp(submitted_ms);
  l->mutable_contact()->set_contact_id(contact);
  l->mutable_contact()->set_email("anna@gmail.com");
  l->mutable_contact()->set_full_name("Anna Ivanova");
  s.set_lifecycle_stage(cv1::LEAD);
  return s;
}

kafka::ConsumedMessage ScoredMessage(const leadflow::scoring::v1::LeadScored& s) {
  kafka::ConsumedMessage m;
  m.topic = topics::kLeadsScored;
  s.SerializeToString(&m.payload);
  return m;
}

kafka::ConsumedMessage Withdrawal(const std::string& contact, int64_t at_ms) {
  ev1::EngagementEvent e;
  e.set_event_id("e-w");
  e.set_contact_id(contact);
  e.set_type(ev1::CONSENT_WITHDRAWN);
  *e.mutable_occurred_at() = TimeUtil::MillisecondsToTimestamp(at_ms);
  kafka::ConsumedMessage m;
  m.topic = topics::kEngagementEvents;
  m.key = contact;
  e.SerializeToString(&m.payload);
  return m;
}

class RoutingPrivacyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::RedisServer::Start({}, &error);
    ASSERT_TRUE(server_) << error;
    auto c = redis::Client::Connect({.url = server_->url()});
    ASSERT_TRUE(c.ok()) << c.status().message();
    client_ = std::move(*c);
    privacy_ = std::make_unique<RoutingPrivacy>(*client_, clock_);
  }
  std::string Get(const std::vector<std::string>& cmd) { return server_->Command(cmd).value_or("?"); }

  FakeClock clock_{1'700'000'000'000};
  std::unique_ptr<testing::RedisServer> server_;
  std::unique_ptr<redis::Client> client_;
  std::unique_ptr<RoutingPrivacy> privacy_;
};

TEST_F(RoutingPrivacyTest, AWithdrawnProspectsEarlierLeadReachesTheEngineDisqualified) {
  std::vector<leadflow::scoring::v1::LeadScored> engine_saw;
  auto gate = privacy_->GateScored(privacy::PerMessage(
      [&](const kafka::ConsumedMessage& m, std::vector<kafka::OutgoingMessage>&) {
        engine_saw.emplace_back().ParseFromString(m.payload);
        return Status::Ok();
      }));
  auto handler = privacy_->Handler();
  std::vector<kafka::OutgoingMessage> out;
  ASSERT_TRUE(handler(Withdrawal(kAnna, 2000), out).ok());
  gate({ScoredMessage(Scored(kAnna, "L-old", 1000)), ScoredMessage(Scored(kAnna, "L-new", 3000)),
        ScoredMessage(Scored(kBoris, "L-b", 1000))});
  ASSERT_EQ(engine_saw.size(), 3u);
  EXPECT_TRUE(engine_saw[0].disqualified());
  EXPECT_EQ(engine_saw[0].disqualification_reasons(0), cv1::CONSENT_MISSING);
  EXPECT_FALSE(engine_saw[1].disqualified()) << "submitted after the withdrawal: new consent";
  EXPECT_FALSE(engine_saw[2].disqualified()) << "another contact";
  // Undecodable engagement records are left to scoring and nurture.
  kafka::ConsumedMessage junk = Withdrawal(kAnna, 1);
  junk.payload = "\xff\xff";
  EXPECT_TRUE(handler(junk, out).ok());
  EXPECT_TRUE(out.empty());
}

TEST_F(RoutingPrivacyTest, ErasureScrubsDecisionsAndKeepsCapacityKeys) {
  auto gate = privacy_->GateScored(
      privacy::PerMessage([](const kafka::ConsumedMessage&, std::vector<kafka::OutgoingMessage>&) {
        return Status::Ok();
      }));
  gate({ScoredMessage(Scored(kAnna, "L-a1", 1000)), ScoredMessage(Scored(kBoris, "L-b1", 1000))});
  for (const char* lead : {"L-a1", "L-b1"}) {
    leadflow::routing::v1::LeadAssigned record;
    *record.mutable_scored() = Scored(lead[2] == 'a' ? kAnna : kBoris, lead, 1000);
    record.mutable_decision()->set_rep_id("rep-1");
    Get({"SET", DecisionKey(lead), record.SerializeAsString(), "EX", "1000"});
  }
  Get({"SET", "lf:{routing}:open:rep-1", "2"});
  Get({"SADD", "lf:{routing}:open-set:rep-1", "L-a1", "L-b1"});

  leadflow::privacy::v1::ContactErasure erasure;
  erasure.set_erasure_id("er-1");
  erasure.set_contact_id(kAnna);
  kafka::ConsumedMessage m;
  m.topic = topics::kPrivacyErasure;
  m.key = kAnna;
  erasure.SerializeToString(&m.payload);
  std::vector<kafka::OutgoingMessage> out;
  ASSERT_TRUE(privacy_->Handler()(m, out).ok());
  ASSERT_TRUE(privacy_->Handler()(m, out).ok());  // redelivered: harmless

  const std::string anna = Get({"GET", DecisionKey("L-a1")});
  leadflow::routing::v1::LeadAssigned scrubbed;
  ASSERT_TRUE(scrubbed.ParseFromString(anna));
  EXPECT_EQ(scrubbed.scored().lead().meta().lead_id(), "L-a1");
  EXPECT_EQ(scrubbed.decision().rep_id(), "rep-1");
  EXPECT_FALSE(scrubbed.scored().lead().has_contact());
  EXPECT_EQ(anna.find("anna"), std::string::npos);
  EXPECT_EQ(anna.find("Anna"), std::string::npos);
  EXPECT_NE(Get({"TTL", DecisionKey("L-a1")}), "-1") << "the record keeps its TTL";
  EXPECT_NE(Get({"GET", DecisionKey("L-b1")}).find("anna@gmail.com"), std::string::npos)
      << "another contact's decision is untouched";
  EXPECT_EQ(Get({"GET", "lf:{routing}:open:rep-1"}), "2");
  EXPECT_EQ(Get({"SCARD", "lf:{routing}:open-set:rep-1"}), "2");
  EXPECT_EQ(Get({"EXISTS", ContactLeadsKey(kAnna)}), "0");
  EXPECT_EQ(Get({"EXISTS", ContactLeadsKey(kBoris)}), "1");
  EXPECT_EQ(Get({"GET", ContactWithdrawnKey(kAnna)}), std::to_string(clock_.NowMillis()));

  // A malformed erasure is refused (the loop dead-letters it).
  m.payload = "\x01";
  EXPECT_EQ(privacy_->Handler()(m, out).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace leadflow::routing
