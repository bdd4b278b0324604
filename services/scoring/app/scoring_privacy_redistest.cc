// Scoring's consent gates and erasure against a real redis-server.
#include "scoring/app/scoring_privacy.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "common/kafka/topics.h"
#include "common/privacy/erasure.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "leadflow/intake/v1/intake.pb.h"
#include "scoring/app/engagement_store.h"
#include "scoring/app/redis_engagement_store.h"
#include "scoring/app/redis_score_store.h"
#include "scoring/app/score_store.h"
#include "common/testing/redis_server.h"

namespace leadflow::scoring {
namespace {

using google::protobuf::util::TimeUtil;
namespace ev1 = leadflow::engagement::v1;

constexpr char kAnna[] = "c-00000000000000a1";
constexpr char kBoris[] = "c-00000000000000b2";

kafka::ConsumedMessage Accepted(const std::string& contact, const std::string& lead,
                                int64_t submitted_ms) {
  leadflow::intake::v1::LeadAccepted l;
  l.mutable_meta()->set_lead_id(lead);
  *l.mutable_meta()->mutable_first_submitted_at() = TimeUtil::MillisecondsToTimestamp(submitted_ms);
  l.mutable_contact()->set_contact_id(contact);
  kafka::ConsumedMessage m;
  m.topic = topics::kLeadsAccepted;
  l.SerializeToString(&m.payload);
  return m;
}

kafka::ConsumedMessage Event(const std::string& contact, ev1::EngagementType type, int64_t at_ms) {
  ev1::EngagementEvent e;
  e.set_event_id("e-" + std::to_string(at_ms));
  e.set_contact_id(contact);
  e.set_type(type);
  *e.mutable_occurred_at() = TimeUtil::MillisecondsToTimestamp(at_ms);
  kafka::ConsumedMessage m;
  m.topic = topics::kEngagementEvents;
  m.key = contact;
  e.SerializeToString(&m.payload);
  return m;
}

class ScoringPrivacyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::RedisServer::Start({}, &error);
    ASSERT_TRUE(server_) << error;
    auto c = redis::Client::Connect({.url = server_->url()});
    ASSERT_TRUE(c.ok()) << c.status().message();
    client_ = std::move(*c);
    privacy_ = std::make_unique<ScoringPrivacy>(*client_, clock_);
  }
  std::string Get(const std::vector<std::string>& cmd) { return server_->Command(cmd).value_or("?"); }

  FakeClock clock_{1'700'000'000'000};
  std::unique_ptr<testing::RedisServer> server_;
  std::unique_ptr<redis::Client> client_;
  std::unique_ptr<ScoringPrivacy> privacy_;
};

TEST_F(ScoringPrivacyTest, AWithdrawnContactsEngagementIsNeitherRecordedNorRescored) {
  std::vector<std::string> inner_saw;
  auto handler = privacy_->GateEngagement(
      [&](const kafka::ConsumedMessage& m, std::vector<kafka::OutgoingMessage>& out) {
        inner_saw.push_back(m.key);
        out.push_back({topics::kLeadsScored, m.key, "rescore", {}});
        return Status::Ok();
      });
  auto r = handler({Event(kAnna, ev1::EMAIL_OPENED, 1000)});
  EXPECT_EQ(r.at(0).out.size(), 1u);  // before the withdrawal: rescored as usual
  r = handler({Event(kAnna, ev1::CONSENT_WITHDRAWN, 2000)});
  EXPECT_TRUE(r.at(0).status.ok());
  EXPECT_TRUE(r.at(0).out.empty());  // the withdrawal itself publishes nothing
  EXPECT_EQ(Get({"GET", "lf:scoring:{c:" + std::string(kAnna) + "}:withdrawn"}), "2000");

  inner_saw.clear();
  r = handler({Event(kAnna, ev1::WEBINAR_ATTENDED, 3000), Event(kBoris, ev1::EMAIL_OPENED, 3000)});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_TRUE(r[0].status.ok());
  EXPECT_TRUE(r[0].out.empty()) << "no rescore for a withdrawn contact";
  EXPECT_EQ(r[1].out.size(), 1u) << "other contacts are unaffected";
  EXPECT_EQ(inner_saw, std::vector<std::string>{kBoris});
}

TEST_F(ScoringPrivacyTest, ANewLeadAfterTheWithdrawalBringsNewConsent) {
  auto engagement = privacy_->GateEngagement(
      [](const kafka::ConsumedMessage&, std::vector<kafka::OutgoingMessage>& out) {
        out.push_back({topics::kLeadsScored, "", "rescore", {}});
        return Status::Ok();
      });
  auto accepted = privacy_->GateAccepted(
      [](const kafka::ConsumedMessage&, std::vector<kafka::OutgoingMessage>& out) {
        out.push_back({topics::kLeadsScored, "", "score", {}});
        return Status::Ok();
      });
  engagement({Event(kAnna, ev1::CONSENT_WITHDRAWN, 2000)});
  // In flight from before the withdrawal: still scored (routing concludes it).
  EXPECT_EQ(accepted({Accepted(kAnna, "L-old", 1500)})[0].out.size(), 1u);
  EXPECT_TRUE(engagement({Event(kAnna, ev1::EMAIL_OPENED, 2500)})[0].out.empty());
  // Submitted after it, with consent: the contact is profiled again.
  EXPECT_EQ(accepted({Accepted(kAnna, "L-new", 5000)})[0].out.size(), 1u);
  EXPECT_EQ(engagement({Event(kAnna, ev1::EMAIL_OPENED, 6000)})[0].out.size(), 1u);
}

TEST_F(ScoringPrivacyTest, ErasureDeletesScoresEngagementAndIndexAndLeavesOnlyTheTombstone) {
  privacy_->GateAccepted([](const kafka::ConsumedMessage&, std::vector<kafka::OutgoingMessage>&) {
    return Status::Ok();
  })({Accepted(kAnna, "L-a1", 100), Accepted(kAnna, "L-a2", 200), Accepted(kBoris, "L-b1", 100)});
  for (const char* lead : {"L-a1", "L-a2", "L-a3", "L-b1"}) {
    Get({"HSET", RedisScoreStore::Key(lead), "rev", "1", "score", "bytes with ivan@acme.ru"});
  }
  Get({"ZADD", RedisEngagementStore::EventsKey(kAnna), "1", "e-1|1"});
  Get({"SET", RedisEngagementStore::LeadKey(kAnna), "L-a3|100"});  // linked, not indexed
  Get({"ZADD", RedisEngagementStore::EventsKey(kBoris), "1", "e-2|1"});

  leadflow::privacy::v1::ContactErasure erasure;
  erasure.set_erasure_id("er-1");
  erasure.set_contact_id(kAnna);
  ASSERT_TRUE(privacy_->Erase(erasure).ok());
  ASSERT_TRUE(privacy_->Erase(erasure).ok());  // redelivered: harmless

  for (const char* lead : {"L-a1", "L-a2", "L-a3"}) {
    EXPECT_EQ(Get({"EXISTS", RedisScoreStore::Key(lead)}), "0") << lead;
  }
  EXPECT_EQ(Get({"EXISTS", RedisEngagementStore::EventsKey(kAnna)}), "0");
  EXPECT_EQ(Get({"EXISTS", RedisEngagementStore::LeadKey(kAnna)}), "0");
  EXPECT_EQ(Get({"EXISTS", ScoringPrivacyKeys().leads(kAnna)}), "0");
  EXPECT_EQ(Get({"GET", ScoringPrivacyKeys().withdrawn(kAnna)}), std::to_string(clock_.NowMillis()));
  // Boris is untouched.
  EXPECT_EQ(Get({"EXISTS", RedisScoreStore::Key("L-b1")}), "1");
  EXPECT_EQ(Get({"EXISTS", RedisEngagementStore::EventsKey(kBoris)}), "1");
  EXPECT_EQ(Get({"SISMEMBER", ScoringPrivacyKeys().leads(kBoris), "L-b1"}), "1");
}

}  // namespace
}  // namespace leadflow::scoring
