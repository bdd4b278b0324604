// Proactive customer programmes against a real redis-server (issue 18,
// point 5): fail closed while the registry view is not ready, customers only,
// one enrolment per cycle, cycles restored from the touch log after a Redis
// loss, and a customer's answer to its owner.
#include <gtest/gtest.h>

#include "nurture/app/programme_store.h"
#include "nurture/domain/programme_schedule.h"
#include "nurture/testing/nurture_app_fixture.h"

namespace leadflow::nurture {
namespace {

namespace ev1 = leadflow::engagement::v1;

class ProgrammeTest : public NurtureAppTest {
 protected:
  void SetUp() override {
    NurtureAppTest::SetUp();
    auto c = testutil::SampleConfig();
    auto* p = testutil::AddProgramme(c, "audit", "c-general");
    p->set_period_days(30);
    p->set_enrol_window_days(30);  // every account is due whenever asked
    policy_ = testutil::MustPolicy(c);
    // The engine reads the touch log the producer wrote (nurture.touches).
    engine_ = std::make_unique<NurtureEngine>(
        policy_, *store_, *accounts_, producer_, *metrics_, clock_,
        [this](const std::function<void(const kafka::ConsumedMessage&)>& visit) {
          for (const auto& m : producer_.SentTo(topics::kNurtureTouches)) {
            kafka::ConsumedMessage c;
            c.topic = m.topic;
            c.key = m.key;
            c.payload = m.payload;
            visit(c);
          }
          return Status::Ok();
        });
    programmes_ = std::make_unique<ProgrammeStore>(*redis_);
    engine_->SetProgrammeStore(programmes_.get());
  }

  void AddAccount(const std::string& key, cv1::Relationship r) {
    leadflow::accounts::v1::AccountState a;
    a.set_account_key(key);
    a.set_relationship(r);
    a.add_domains(key);
    a.set_owner_rep_id("owner-" + key);
    ASSERT_TRUE(seeder_->Apply(key, a.SerializeAsString()).ok());
    // As the view's change hook would; a prospect too, as a stale member.
    ASSERT_TRUE(programmes_->SetCustomerAccount(key, true).ok());
  }

  std::unique_ptr<ProgrammeStore> programmes_;
};

TEST_F(ProgrammeTest, EnrolsNothingWhileTheRegistryViewIsNotReady) {
  AddAccount("cust.ru", cv1::CUSTOMER);
  ASSERT_TRUE(redis_->Run({"DEL", "lf:{nurture}:view:accounts:ready"}).ok());
  auto n = engine_->EnrolProgrammes();
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(Enrolments("a-cust.ru").empty());
}

TEST_F(ProgrammeTest, CustomersEnrolOncePerCycleAProspectNever) {
  AddAccount("cust.ru", cv1::CUSTOMER);
  AddAccount("pros.ru", cv1::PROSPECT);
  AddAccount("ivanov@mail.ru", cv1::CUSTOMER);  // keyed by a person: no year-long keys
  auto n = engine_->EnrolProgrammes();
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, 1);
  ASSERT_EQ(Enrolments("a-cust.ru").size(), 1u);
  EXPECT_TRUE(Enrolments("a-pros.ru").empty());
  EXPECT_TRUE(Enrolments("a-ivanov@mail.ru").empty());
  ASSERT_TRUE(engine_->EnrolProgrammes().ok());  // the same cycle: no second enrolment
  EXPECT_EQ(Enrolments("a-cust.ru").size(), 1u);
  EXPECT_EQ(Poll(), 1);
  const auto touches = Touches();
  ASSERT_EQ(touches.size(), 1u);
  EXPECT_EQ(touches[0].programme_id(), "audit");
  EXPECT_EQ(touches[0].audience(), cv1::CUSTOMER);
  EXPECT_EQ(touches[0].account_key(), "cust.ru");
  const auto notes = producer_.SentTo(topics::kAccountsNotifications);
  ASSERT_EQ(notes.size(), 1u);
  nv1::AccountNotification note;
  ASSERT_TRUE(note.ParseFromString(notes[0].payload));
  EXPECT_EQ(note.kind(), nv1::TOUCH_SENT);
  EXPECT_EQ(note.programme_id(), "audit");
  EXPECT_EQ(note.owner_rep_id(), "owner-cust.ru");
}

TEST_F(ProgrammeTest, AfterARedisLossTheCycleIsRestoredFromTheTouchLogNotResent) {
  AddAccount("cust.ru", cv1::CUSTOMER);
  ASSERT_TRUE(engine_->EnrolProgrammes().ok());
  ASSERT_EQ(Poll(), 1);
  ASSERT_TRUE(redis_->Run({"FLUSHALL"}).ok());
  // The view and the base come back from accounts.changes.
  AddAccount("cust.ru", cv1::CUSTOMER);
  auto n = engine_->EnrolProgrammes();
  ASSERT_TRUE(n.ok()) << n.status().message();
  clock_.Advance(std::chrono::hours(1));
  Poll();
  EXPECT_EQ(Touches().size(), 1u) << "the cycle's first touch was sent again";
}

TEST_F(ProgrammeTest, ACustomersAnswerReachesItsOwnerAProspectsDoesNot) {
  AddAccount("cust.ru", cv1::CUSTOMER);
  AddAccount("pros.ru", cv1::PROSPECT);
  auto event = [](const std::string& account, ev1::EngagementType type) {
    ev1::EngagementEvent ev;
    ev.set_event_id("ev-" + account);
    ev.set_contact_id("c-00000000000000aa");
    ev.set_account_key(account);
    ev.set_type(type);
    ev.set_content_id("c-survey");  // sent on QUESTIONNAIRE by c-general
    kafka::ConsumedMessage m;
    m.topic = topics::kEngagementEvents;
    m.key = ev.contact_id();
    ev.SerializeToString(&m.payload);
    return m;
  };
  std::vector<kafka::OutgoingMessage> out;
  ASSERT_TRUE(engine_->HandleExitEvent(event("cust.ru", ev1::REPLIED), out).ok());
  ASSERT_EQ(out.size(), 1u);
  nv1::AccountNotification n;
  ASSERT_TRUE(n.ParseFromString(out[0].payload));
  EXPECT_EQ(out[0].topic, topics::kAccountsNotifications);
  EXPECT_EQ(n.kind(), nv1::CUSTOMER_RESPONDED);
  EXPECT_EQ(n.owner_rep_id(), "owner-cust.ru");
  EXPECT_EQ(n.response().kind(), nv1::QUESTIONNAIRE_ANSWER);
  EXPECT_EQ(n.response().event_id(), "ev-cust.ru");
  out.clear();
  ASSERT_TRUE(engine_->HandleExitEvent(event("pros.ru", ev1::REPLIED), out).ok());
  EXPECT_TRUE(out.empty());
  // Unknown is never a default: the event waits while the view rebuilds.
  ASSERT_TRUE(redis_->Run({"DEL", "lf:{nurture}:view:accounts:ready"}).ok());
  EXPECT_EQ(engine_->HandleExitEvent(event("cust.ru", ev1::MEETING_BOOKED), out).code(),
            StatusCode::kUnavailable);
}

}  // namespace
}  // namespace leadflow::nurture
