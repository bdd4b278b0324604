// Nurture's batch paths against a real redis-server: an enrolment consumer
// batch decides as its messages would one at a time, and one scheduler poll
// of touches with different fates keeps each touch's own outcome.
#include "nurture/testing/nurture_app_fixture.h"

namespace leadflow::nurture {
namespace {

class NurtureBatchTest : public NurtureAppTest {
 protected:
  std::vector<kafka::HandledMessage> EnrolBatch(const std::vector<kafka::ConsumedMessage>& batch) {
    auto results = engine_->HandleEnrolments(batch);
    EXPECT_EQ(results.size(), batch.size());
    return results;
  }
  static kafka::ConsumedMessage Garbage() {
    kafka::ConsumedMessage m;
    m.topic = topics::kLeadsNurture;
    m.payload = "\xff\xff not a protobuf";
    return m;
  }
  std::string State(const std::string& enrolment_id) {
    auto rec = store_->enrolments().Get(enrolment_id);
    EXPECT_TRUE(rec.ok());
    if (!rec.ok() || !rec->has_value()) return "none";
    const auto& e = (*rec)->enrolment;
    return nv1::EnrolmentState_Name(e.state()) + "/" + e.exit_reason() + "/" +
           std::to_string(e.next_step());
  }
};

TEST_F(NurtureBatchTest, ALeadTwiceInOneBatchEnrolsOnceAndBadRecordsStayAlone) {
  auto first = Request("B1");
  auto rescored = Request("B1");  // a rescore that would pick another track
  rescored.mutable_scored()->set_buyer_stage(cv1::STATUS_QUO);
  auto customer = Request("B3");  // a customer on leads.nurture: the wall at the door
  customer.mutable_scored()->mutable_lead()->mutable_meta()->set_relationship(cv1::CUSTOMER);
  const auto results =
      EnrolBatch({Msg(first), Msg(rescored), Garbage(), Msg(Request("B2")), Msg(customer)});
  EXPECT_TRUE(results[0].status.ok());
  EXPECT_TRUE(results[1].status.ok());
  EXPECT_EQ(results[2].status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(results[3].status.ok());
  EXPECT_TRUE(results[4].status.ok());
  ASSERT_EQ(results[4].out.size(), 1u);  // dead-lettered, counted
  EXPECT_EQ(results[4].out[0].topic, topics::kLeadsRejected);
  EXPECT_EQ(metrics_->violations(), 1);
  // B1 is in one track only (the first request's), as one at a time.
  const auto b1 = Enrolments("contact-B1");
  ASSERT_EQ(b1.size(), 1u);
  EXPECT_EQ(b1.begin()->first, "B1:p-general");
  EXPECT_EQ(Enrolments("contact-B2").size(), 1u);
  EXPECT_TRUE(Enrolments("contact-B3").empty());
  EXPECT_EQ(Poll(), 2);
  EXPECT_EQ(Touches().size(), 2u);
}

TEST_F(NurtureBatchTest, UnsubscribedAndReEntryInOneBatch) {
  Enrol(Request("R1"));
  ASSERT_TRUE(store_->unsubscribes().AddEmail("U1@acme.ru").ok());
  auto reentry = Request("R1");
  reentry.set_reason(cv1::BUDGET_TOO_SMALL);
  const auto results = EnrolBatch({Msg(Request("U1")), Msg(reentry), Msg(Request("R1"))});
  for (const auto& r : results) EXPECT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_TRUE(Enrolments("contact-U1").empty());  // unsubscribed by email: never enrolled
  const auto r1 = Enrolments("contact-R1");
  ASSERT_EQ(r1.size(), 2u);  // the first enrolment and the re-entry, nothing else
  EXPECT_TRUE(r1.count("R1:p-general~BUDGET_TOO_SMALL"));
}

TEST_F(NurtureBatchTest, TwoEnrolmentsOfOneContactInOneBatchStillMeetTheDailyCap) {
  auto a = Request("F1");
  auto b = Request("F2");
  b.mutable_scored()->mutable_lead()->mutable_contact()->set_contact_id("contact-F1");
  b.mutable_scored()->set_buyer_stage(cv1::STATUS_QUO);
  for (const auto& r : EnrolBatch({Msg(a), Msg(b)})) EXPECT_TRUE(r.status.ok());
  EXPECT_EQ(Enrolments("contact-F1").size(), 2u);
  EXPECT_EQ(Poll(), 2);  // both due in one poll: one sent, one deferred by per_day 1
  ASSERT_EQ(Touches().size(), 1u);
  EXPECT_NE(registry_.Serialize().find("reason=\"FREQUENCY_CAP\""), std::string::npos);
  clock_.Advance(std::chrono::hours(24));
  EXPECT_GE(Poll(), 1);
  EXPECT_EQ(Touches().size(), 2u);
}

TEST_F(NurtureBatchTest, OnePollOfTouchesWithDifferentFates) {
  // P1 is sent; P2's contact unsubscribed; P3's account suppressed the topic;
  // P4's account became a customer; P5 is on nurture.touches already.
  auto p3 = Request("P3");
  p3.mutable_scored()->mutable_lead()->mutable_meta()->set_account_key("beta.ru");
  auto p4 = Request("P4");
  p4.mutable_scored()->mutable_lead()->mutable_company()->set_domain("gamma.ru");
  for (const auto& r :
       EnrolBatch({Msg(Request("P1")), Msg(Request("P2")), Msg(p3), Msg(p4), Msg(Request("P5"))})) {
    ASSERT_TRUE(r.status.ok()) << r.status.message();
  }
  ASSERT_TRUE(store_->unsubscribes().Add("contact-P2").ok());
  ASSERT_TRUE(store_->suppressions().Add("beta.ru", "analytics").ok());
  ASSERT_TRUE(seeder_->Apply("gamma.ru", CustomerAccount("gamma.ru")).ok());
  server_->Command({"SET", "lf:{nurture}:sent:P5:p-general:0", "1"});

  EXPECT_EQ(Poll(), 5);
  auto touches = Touches();
  ASSERT_EQ(touches.size(), 1u);
  EXPECT_EQ(touches[0].touch_id(), "P1:p-general:0");
  EXPECT_EQ(State("P1:p-general"), "ACTIVE_ENROLMENT//1");
  EXPECT_EQ(State("P2:p-general"), "EXITED/unsubscribed/0");
  EXPECT_EQ(State("P3:p-general"), "ACTIVE_ENROLMENT//1");  // skipped, the track goes on
  EXPECT_EQ(State("P4:p-general"), "EXITED/became_customer/0");
  EXPECT_EQ(State("P4:c-general"), "ACTIVE_ENROLMENT//0");
  EXPECT_EQ(State("P5:p-general"), "ACTIVE_ENROLMENT//1");  // finished, not re-sent
  EXPECT_EQ(metrics_->violations(), 0);
  auto inflight = store_->touches().InFlight();
  ASSERT_TRUE(inflight.ok());
  EXPECT_TRUE(inflight->empty());
  // Only P1's touch went into its contact's send log.
  EXPECT_EQ(server_->Command({"ZCARD", "lf:{nurture}:sends:contact-P1"}).value_or(""), "1");
  EXPECT_EQ(server_->Command({"ZCARD", "lf:{nurture}:sends:contact-P5"}).value_or(""), "1");
  EXPECT_EQ(server_->Command({"ZCARD", "lf:{nurture}:sends:contact-P3"}).value_or(""), "0");

  EXPECT_EQ(Poll(), 1);  // P4's customer track starts at once, with the owner notified
  touches = Touches();
  ASSERT_EQ(touches.size(), 2u);
  EXPECT_EQ(touches[1].touch_id(), "P4:c-general:0");
  EXPECT_EQ(producer_.SentTo(topics::kAccountsNotifications).size(), 1u);
}

TEST_F(NurtureBatchTest, QuietHoursDeferEveryTouchOfAPollToTheMorning) {
  clock_.SetMillis(1763715600000 + 10 * kHour);  // 22:00 Moscow
  for (const auto& r : EnrolBatch({Msg(Request("Q1")), Msg(Request("Q2")), Msg(Request("Q3"))})) {
    ASSERT_TRUE(r.status.ok());
  }
  EXPECT_EQ(Poll(), 3);
  EXPECT_TRUE(Touches().empty());
  for (const std::string lead : {"Q1", "Q2", "Q3"}) {
    EXPECT_EQ(EnrolmentOf(lead).next_due_at().seconds(), 1763715600 + 21 * 3600) << lead;
  }
  auto inflight = store_->touches().InFlight();
  ASSERT_TRUE(inflight.ok());
  EXPECT_TRUE(inflight->empty());
  clock_.SetMillis(1763715600000 + 21 * kHour);  // 09:00
  EXPECT_EQ(Poll(), 3);
  EXPECT_EQ(Touches().size(), 3u);
}

TEST_F(NurtureBatchTest, RedisDownFailsTheBatchAsUnavailable) {
  ASSERT_EQ(server_->Stop(), 0);
  const auto results = EnrolBatch({Msg(Request("X1")), Garbage()});
  EXPECT_EQ(results[0].status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(results[1].status.code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(engine_->PollOnce().ok());
}

}  // namespace
}  // namespace leadflow::nurture
