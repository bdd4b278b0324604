// Nurture app against a real redis-server (FakeProducer for Kafka).
#include "nurture/testing/nurture_app_fixture.h"

namespace leadflow::nurture {
namespace {

TEST_F(NurtureAppTest, ViolationCounterIsExportedAtZero) {
  const std::string text = registry_.Serialize();
  EXPECT_NE(text.find("leadflow_audience_violations_total 0"), std::string::npos) << text;
}

TEST_F(NurtureAppTest, FirstTouchEmittedOnceEvenWhenTheRequestIsRedelivered) {
  auto req = Request("L1");
  Enrol(req);
  Enrol(req);  // redelivered
  EXPECT_EQ(Poll(), 1);
  Enrol(req);  // redelivered again, after the first touch went out
  EXPECT_EQ(Poll(), 0);
  auto touches = Touches();
  ASSERT_EQ(touches.size(), 1u);
  EXPECT_EQ(touches[0].touch_id(), "L1:p-general:0");
  EXPECT_EQ(touches[0].contact_id(), "contact-L1");
  EXPECT_EQ(touches[0].audience(), cv1::PROSPECT);
  EXPECT_EQ(touches[0].content_id(), "p-analytics");
  EXPECT_EQ(touches[0].trace_id(), "trace-L1");
  EXPECT_EQ(touches[0].due_at().seconds(), 1763715600);

  auto e = EnrolmentOf("L1");
  EXPECT_EQ(e.state(), nv1::ACTIVE_ENROLMENT);
  EXPECT_EQ(e.next_step(), 1);
  ASSERT_EQ(e.sent_touch_ids_size(), 1);
  EXPECT_EQ(e.next_due_at().seconds(), 1763715600 + 24 * 3600);

  // The whole track plays out on schedule, once per touch.
  clock_.Advance(std::chrono::hours(23));
  EXPECT_EQ(Poll(), 0);
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(Poll(), 1);
  clock_.Advance(std::chrono::hours(24));
  EXPECT_EQ(Poll(), 1);
  EXPECT_EQ(Touches().size(), 3u);
  EXPECT_EQ(EnrolmentOf("L1").state(), nv1::COMPLETED);
  EXPECT_EQ(metrics_->violations(), 0);
}

TEST_F(NurtureAppTest, UnsubscribeStopsPendingTouches) {
  Enrol(Request("U1"));
  EXPECT_EQ(Poll(), 1);
  nv1::UnsubscribeRequest req;
  req.set_email("U1@acme.ru");
  nv1::UnsubscribeResponse resp;
  ASSERT_TRUE(grpc_->Unsubscribe(&ctx_, &req, &resp).ok());
  EXPECT_EQ(resp.enrolments_exited(), 1);
  clock_.Advance(std::chrono::hours(100));
  EXPECT_EQ(Poll(), 0);
  EXPECT_EQ(Touches().size(), 1u);
  auto e = EnrolmentOf("U1");
  EXPECT_EQ(e.state(), nv1::EXITED);
  EXPECT_EQ(e.exit_reason(), "unsubscribed");
}

TEST_F(NurtureAppTest, ProspectWhoBecameACustomerMovesToACustomerTrackBeforeTheNextTouch) {
  Enrol(Request("V1"));
  EXPECT_EQ(Poll(), 1);
  // The registry view changes under the enrolment (applied directly: the
  // send-time check must catch it even before the change handler runs).
  ASSERT_TRUE(seeder_->Apply("acme.ru", CustomerAccount("acme.ru")).ok());

  clock_.Advance(std::chrono::hours(24));
  EXPECT_EQ(Poll(), 1);  // the prospect touch is not sent; the enrolment moves
  EXPECT_EQ(metrics_->violations(), 0);
  auto ids = Enrolments("contact-V1");
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids["V1:p-general"].state(), nv1::EXITED);
  EXPECT_EQ(ids["V1:p-general"].exit_reason(), "became_customer");
  EXPECT_EQ(ids["V1:c-general"].state(), nv1::ACTIVE_ENROLMENT);
  EXPECT_EQ(ids["V1:c-general"].audience(), cv1::CUSTOMER);

  EXPECT_EQ(Poll(), 1);  // the customer track's first touch is due at once
  auto touches = Touches();
  ASSERT_EQ(touches.size(), 2u);
  EXPECT_EQ(touches[0].audience(), cv1::PROSPECT);
  EXPECT_EQ(touches[1].audience(), cv1::CUSTOMER);
  EXPECT_EQ(touches[1].track_id(), "c-general");
  EXPECT_EQ(touches[1].content_id(), "c-update");
  // The account owner hears of the customer touch.
  auto notes = producer_.SentTo(topics::kAccountsNotifications);
  ASSERT_EQ(notes.size(), 1u);
  nv1::AccountNotification n;
  ASSERT_TRUE(n.ParseFromString(notes[0].payload));
  EXPECT_EQ(n.owner_rep_id(), "owner-1");
  EXPECT_EQ(n.touch_id(), touches[1].touch_id());
  EXPECT_EQ(notes[0].key, "acme.ru");
}

TEST_F(NurtureAppTest, CustomerWhoseAccountLeftTheCrmGetsNothingMore) {
  ASSERT_TRUE(seeder_->Apply("acme.ru", CustomerAccount("acme.ru")).ok());
  rv1::CustomerInbound in;
  *in.mutable_scored() = Request("D1").scored();
  in.mutable_scored()->mutable_lead()->mutable_meta()->set_relationship(cv1::CUSTOMER);
  kafka::ConsumedMessage m;
  m.topic = topics::kAccountsInbound;
  m.key = "acme.ru";
  in.SerializeToString(&m.payload);
  std::vector<kafka::OutgoingMessage> out;
  ASSERT_TRUE(engine_->Handler()(m, out).ok());
  ASSERT_TRUE(seeder_->Apply("acme.ru", "").ok());  // tombstone
  EXPECT_EQ(Poll(), 1);
  EXPECT_TRUE(Touches().empty());
  EXPECT_EQ(EnrolmentOf("D1").exit_reason(), "account_removed");
  EXPECT_EQ(metrics_->violations(), 0);
}

TEST_F(NurtureAppTest, OnlyTheSchedulerLeaseHolderSends) {
  ASSERT_TRUE(*store_->lease().Hold("replica-a", 300));
  EXPECT_FALSE(*store_->lease().Hold("replica-b", 300));
  EXPECT_TRUE(*store_->lease().Hold("replica-a", 300));  // renewal
  Enrol(Request("H1"));
  NurtureEngine b(policy_, *store_, *accounts_, producer_, *metrics_, clock_);
  b.SetSchedulerLease("replica-b", std::chrono::milliseconds(300));
  std::atomic<bool> stop{false};
  std::thread t([&] { b.RunScheduler(stop, std::chrono::milliseconds(20)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  const size_t while_a_leads = producer_.SentTo(topics::kNurtureTouches).size();
  // replica-a stops renewing: its lease expires and replica-b takes over.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  stop = true;
  t.join();
  EXPECT_EQ(while_a_leads, 0u);
  EXPECT_EQ(Touches().size(), 1u);
  EXPECT_FALSE(*store_->lease().Hold("replica-a", 300));
}

TEST_F(NurtureAppTest, AccountChangeMovesEnrolmentsAtOnce) {
  Enrol(Request("W1"));
  EXPECT_EQ(Poll(), 1);
  kafka::ConsumedMessage m;
  m.topic = topics::kAccountsChanges;
  m.offset = 100;
  m.key = "acme.ru";
  m.payload = CustomerAccount("acme.ru");
  ASSERT_TRUE(engine_->HandleAccountChange("test-epoch", m).ok());
  auto ids = Enrolments("contact-W1");
  EXPECT_EQ(ids["W1:p-general"].exit_reason(), "became_customer");
  EXPECT_EQ(ids["W1:c-general"].state(), nv1::ACTIVE_ENROLMENT);
  EXPECT_EQ(metrics_->violations(), 0);
}

TEST_F(NurtureAppTest, FrequencyCapDefersTouchesAcrossTracks) {
  // Two leads of one contact in two tracks: per_day 1 lets only one through today.
  auto a = Request("F1");
  auto b = Request("F2");
  b.mutable_scored()->mutable_lead()->mutable_contact()->set_contact_id("contact-F1");
  b.mutable_scored()->set_buyer_stage(cv1::STATUS_QUO);
  Enrol(a);
  Enrol(b);
  EXPECT_EQ(Poll(), 2);  // one sent, one deferred by the cap
  ASSERT_EQ(Touches().size(), 1u);
  EXPECT_NE(registry_.Serialize().find("reason=\"FREQUENCY_CAP\""), std::string::npos);
  clock_.Advance(std::chrono::hours(23));
  EXPECT_EQ(Poll(), 0);
  clock_.Advance(std::chrono::hours(1));
  EXPECT_GE(Poll(), 1);
  EXPECT_EQ(Touches().size(), 2u);
}

TEST_F(NurtureAppTest, QuietHoursDeferToTheContactsMorning) {
  clock_.SetMillis(1763715600000 + 10 * kHour);  // 22:00 Moscow
  Enrol(Request("Q1"));
  EXPECT_EQ(Poll(), 1);  // deferred
  EXPECT_TRUE(Touches().empty());
  EXPECT_EQ(EnrolmentOf("Q1").next_due_at().seconds(), 1763715600 + 21 * 3600);
  EXPECT_NE(registry_.Serialize().find("reason=\"QUIET_HOURS\""), std::string::npos);
  clock_.SetMillis(1763715600000 + 21 * kHour - 1000);  // 08:59:59 Moscow
  EXPECT_EQ(Poll(), 0);
  clock_.SetMillis(1763715600000 + 21 * kHour);  // 09:00
  EXPECT_EQ(Poll(), 1);
  ASSERT_EQ(Touches().size(), 1u);
}

TEST_F(NurtureAppTest, ExitEventsEndTheTrack) {
  Enrol(Request("E1"));
  Enrol(Request("E2"));
  Enrol(Request("E3"));
  Enrol(Request("E4"));
  std::vector<kafka::OutgoingMessage> out;
  leadflow::engagement::v1::EngagementEvent ev;
  ev.set_contact_id("contact-E1");
  ev.set_type(leadflow::engagement::v1::MEETING_BOOKED);
  kafka::ConsumedMessage m;
  m.topic = topics::kEngagementEvents;
  ev.SerializeToString(&m.payload);
  ASSERT_TRUE(engine_->HandleExitEvent(m, out).ok());
  ev.set_contact_id("contact-E2");
  ev.set_type(leadflow::engagement::v1::CONSENT_WITHDRAWN);
  ev.SerializeToString(&m.payload);
  ASSERT_TRUE(engine_->HandleExitEvent(m, out).ok());
  rv1::SalesFeedback fb;
  fb.set_lead_id("E3");
  fb.set_kind(rv1::ACCEPT);
  m.topic = topics::kSalesFeedback;
  fb.SerializeToString(&m.payload);
  ASSERT_TRUE(engine_->HandleExitEvent(m, out).ok());
  rv1::LeadAssigned as;
  *as.mutable_scored() = Request("E4").scored();
  m.topic = topics::kLeadsAssigned;
  as.SerializeToString(&m.payload);
  ASSERT_TRUE(engine_->HandleExitEvent(m, out).ok());
  EXPECT_EQ(EnrolmentOf("E1").exit_reason(), "meeting_booked");
  EXPECT_EQ(EnrolmentOf("E2").exit_reason(), "consent_withdrawn");
  EXPECT_EQ(EnrolmentOf("E3").exit_reason(), "sales_accepted");
  EXPECT_EQ(EnrolmentOf("E4").exit_reason(), "mql_assigned");
  EXPECT_EQ(Poll(), 0);
  EXPECT_TRUE(Touches().empty());
  // Consent withdrawn: a later request does not enrol the contact again.
  Enrol(Request("E2"));
  EXPECT_EQ(Poll(), 0);
}

TEST_F(NurtureAppTest, ProtectedRejectionReEntersTheTrack) {
  Enrol(Request("R1"));
  std::vector<kafka::OutgoingMessage> out;
  rv1::LeadAssigned as;
  *as.mutable_scored() = Request("R1").scored();
  kafka::ConsumedMessage m;
  m.topic = topics::kLeadsAssigned;
  as.SerializeToString(&m.payload);
  ASSERT_TRUE(engine_->HandleExitEvent(m, out).ok());
  EXPECT_EQ(EnrolmentOf("R1").state(), nv1::EXITED);
  auto back = Request("R1");
  back.set_reason(cv1::BUDGET_TOO_SMALL);
  Enrol(back);
  auto ids = Enrolments("contact-R1");
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids["R1:p-general~BUDGET_TOO_SMALL"].state(), nv1::ACTIVE_ENROLMENT);
  EXPECT_EQ(Poll(), 1);
  ASSERT_EQ(Touches().size(), 1u);
  EXPECT_EQ(Touches()[0].touch_id(), "R1:p-general~BUDGET_TOO_SMALL:0");
}

// Issue 18.3: a protected rejection is developed by its reason's track, and
// the account's owner is told, again on a redelivery (same enrolment id).
TEST_F(NurtureAppTest, AProtectedRejectionEntersAccountDevelopmentAndTellsTheOwner) {
  auto config = testutil::SampleConfig();
  auto* ad = config.add_tracks();
  ad->set_track_id("p-next-tender");
  ad->set_audience(cv1::PROSPECT);
  ad->mutable_selector()->add_rejection_reasons(cv1::RIGID_SPEC);
  testutil::AddStep(ad, "p-analytics", 0);
  policy_ = testutil::MustPolicy(config);
  engine_ =
      std::make_unique<NurtureEngine>(policy_, *store_, *accounts_, producer_, *metrics_, clock_);
  leadflow::accounts::v1::AccountState acct;
  acct.set_account_key("acme.ru");
  acct.set_relationship(cv1::PROSPECT);
  acct.add_domains("acme.ru");
  acct.set_owner_rep_id("owner-7");
  ASSERT_TRUE(seeder_->Apply("acme.ru", acct.SerializeAsString()).ok());

  auto back = Request("AD1");
  back.set_reason(cv1::RIGID_SPEC);
  back.mutable_decision()->set_rep_id("rep-kam");
  for (int delivery = 0; delivery < 2; ++delivery) {
    std::vector<kafka::OutgoingMessage> out;
    Status s = engine_->Handle(Msg(back), out);
    ASSERT_TRUE(s.ok()) << s.message();
    ASSERT_EQ(out.size(), 1u) << "delivery " << delivery;
    EXPECT_EQ(out[0].topic, topics::kAccountsNotifications);
    EXPECT_EQ(out[0].key, "acme.ru");
    nv1::AccountNotification n;
    ASSERT_TRUE(n.ParseFromString(out[0].payload));
    EXPECT_EQ(n.kind(), nv1::ACCOUNT_DEVELOPMENT);
    EXPECT_EQ(n.owner_rep_id(), "owner-7");
    EXPECT_EQ(n.rejected_by_rep_id(), "rep-kam");
    EXPECT_EQ(n.rejection_reason(), cv1::RIGID_SPEC);
    EXPECT_EQ(n.enrolment_id(), "AD1:p-next-tender~RIGID_SPEC");
  }
  EXPECT_EQ(Enrolments("contact-AD1")["AD1:p-next-tender~RIGID_SPEC"].state(),
            nv1::ACTIVE_ENROLMENT);
  // Another protected reason without a track of its own: generic nurture, nobody told.
  auto other = Request("AD2");
  other.set_reason(cv1::BUDGET_TOO_SMALL);
  Enrol(other);
  EXPECT_EQ(Enrolments("contact-AD2")["AD2:p-general~BUDGET_TOO_SMALL"].state(),
            nv1::ACTIVE_ENROLMENT);
}

TEST_F(NurtureAppTest, AStaleAssignmentDoesNotEndAReEntry) {
  // Routing: nurture at t=1, assigned at t=2, rejected (protected) back to nurture at t=3;
  // nurture's exits consumer sees the t=2 assignment only after the re-entry.
  auto first = Request("T1");
  first.mutable_decision()->mutable_decided_at()->set_seconds(1);
  Enrol(first);
  auto back = Request("T1");
  back.set_reason(cv1::RIGID_SPEC);
  back.mutable_decision()->mutable_decided_at()->set_seconds(3);
  Enrol(back);
  rv1::LeadAssigned as;
  *as.mutable_scored() = Request("T1").scored();
  as.mutable_decision()->mutable_decided_at()->set_seconds(2);
  kafka::ConsumedMessage m;
  m.topic = topics::kLeadsAssigned;
  as.SerializeToString(&m.payload);
  std::vector<kafka::OutgoingMessage> out;
  ASSERT_TRUE(engine_->HandleExitEvent(m, out).ok());
  auto ids = Enrolments("contact-T1");
  EXPECT_EQ(ids["T1:p-general"].exit_reason(), "mql_assigned");
  EXPECT_EQ(ids["T1:p-general~RIGID_SPEC"].state(), nv1::ACTIVE_ENROLMENT);
  // A newer assignment (re-qualified) ends it too.
  as.mutable_decision()->mutable_decided_at()->set_seconds(4);
  as.SerializeToString(&m.payload);
  ASSERT_TRUE(engine_->HandleExitEvent(m, out).ok());
  EXPECT_EQ(Enrolments("contact-T1")["T1:p-general~RIGID_SPEC"].exit_reason(), "mql_assigned");
}

TEST_F(NurtureAppTest, CustomerInboundEntersACustomerTrackAndNotifiesTheOwner) {
  ASSERT_TRUE(seeder_->Apply("acme.ru", CustomerAccount("acme.ru")).ok());
  rv1::CustomerInbound in;
  *in.mutable_scored() = Request("K1").scored();
  in.mutable_scored()->mutable_lead()->mutable_meta()->set_relationship(cv1::CUSTOMER);
  kafka::ConsumedMessage m;
  m.topic = topics::kAccountsInbound;
  m.key = "acme.ru";
  in.SerializeToString(&m.payload);
  std::vector<kafka::OutgoingMessage> out;
  ASSERT_TRUE(engine_->Handler()(m, out).ok());
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(Poll(), 1);
  auto touches = Touches();
  ASSERT_EQ(touches.size(), 1u);
  EXPECT_EQ(touches[0].audience(), cv1::CUSTOMER);
  EXPECT_EQ(producer_.SentTo(topics::kAccountsNotifications).size(), 1u);
  // A prospect-stamped event on accounts.inbound is a violation.
  in.mutable_scored()->mutable_lead()->mutable_meta()->set_relationship(cv1::PROSPECT);
  in.mutable_scored()->mutable_lead()->mutable_meta()->set_lead_id("K2");
  in.SerializeToString(&m.payload);
  ASSERT_TRUE(engine_->Handler()(m, out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, topics::kLeadsRejected);
  EXPECT_EQ(metrics_->violations(), 1);
}

TEST_F(NurtureAppTest, RecoveryFinishesLoggedTouchesAndResendsTheRest) {
  Enrol(Request("X1"));
  Enrol(Request("X2"));
  // Simulate a crash after claiming both: X1's touch reached the log, X2's did not.
  ASSERT_TRUE(*store_->touches().ClaimTouch("X1:p-general:0", clock_.NowMillis()));
  ASSERT_TRUE(*store_->touches().ClaimTouch("X2:p-general:0", clock_.NowMillis()));
  EXPECT_EQ(Poll(), 0);  // nothing due: both are in flight
  nv1::Touch logged;
  logged.set_touch_id("X1:p-general:0");
  kafka::ConsumedMessage rec;
  logged.SerializeToString(&rec.payload);
  NurtureEngine recovering(policy_, *store_, *accounts_, producer_, *metrics_, clock_,
                           [&](const std::function<void(const kafka::ConsumedMessage&)>& visit) {
                             visit(rec);
                             return Status::Ok();
                           });
  auto n = recovering.Recover();
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(*recovering.PollOnce(), 1);  // only X2 is sent now
  auto touches = Touches();
  ASSERT_EQ(touches.size(), 1u);
  EXPECT_EQ(touches[0].touch_id(), "X2:p-general:0");
  EXPECT_EQ(EnrolmentOf("X1").next_step(), 1);
  EXPECT_EQ(EnrolmentOf("X1").sent_touch_ids_size(), 1);
}

TEST_F(NurtureAppTest, CustomerOnLeadsNurtureIsBlockedCountedAndDeadLettered) {
  auto req = Request("C1");
  req.mutable_scored()->mutable_lead()->mutable_meta()->set_relationship(cv1::CUSTOMER);
  std::vector<kafka::OutgoingMessage> out;
  ASSERT_TRUE(engine_->Handle(Msg(req), out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, topics::kLeadsRejected);
  leadflow::common::v1::LeadRejected rej;
  ASSERT_TRUE(rej.ParseFromString(out[0].payload));
  EXPECT_EQ(rej.reason(), cv1::AUDIENCE_MISMATCH);
  EXPECT_EQ(rej.stage(), leadflow::common::v1::NURTURE);
  EXPECT_EQ(metrics_->violations(), 1);
  EXPECT_EQ(Poll(), 0);
  EXPECT_TRUE(Touches().empty());
}

TEST_F(NurtureAppTest, OneSuppressionRequestStopsTheTopicForTheAccount) {
  Enrol(Request("S1"));
  EXPECT_EQ(Poll(), 1);  // step 0: analytics
  nv1::SuppressTopicRequest req;
  req.set_account_key("acme.ru");
  req.set_topic("company_results");  // step 1
  req.set_requested_by("owner-1");
  nv1::SuppressTopicResponse resp;
  ASSERT_TRUE(grpc_->SuppressTopic(&ctx_, &req, &resp).ok());
  EXPECT_EQ(resp.pending_touches_cancelled(), 1);
  clock_.Advance(std::chrono::hours(24));
  EXPECT_EQ(Poll(), 1);  // suppressed, track moves on
  clock_.Advance(std::chrono::hours(24));
  EXPECT_EQ(Poll(), 1);  // step 2: analytics again, sent
  auto touches = Touches();
  ASSERT_EQ(touches.size(), 2u);
  EXPECT_EQ(touches[1].touch_id(), "S1:p-general:2");
  for (const auto& t : touches) EXPECT_NE(t.topic(), "company_results");
}

// An account manager (scope topics:suppress-own) suppresses topics only for
// the accounts the registry view says they own; an unknown account reads the
// same as another rep's, and an unready view is UNAVAILABLE, never a guess.
TEST_F(NurtureAppTest, AnAccountManagerSuppressesTopicsOnlyForTheirOwnAccounts) {
  ASSERT_TRUE(seeder_->Apply("acme.ru", CustomerAccount("acme.ru")).ok());  // owner-1
  auto suppress = [&](const testing::FixedCaller& caller, const std::string& account) {
    NurtureGrpcService service(caller, policy_, *store_, *accounts_, *metrics_);
    nv1::SuppressTopicRequest req;
    req.set_account_key(account);
    req.set_topic("company_results");
    nv1::SuppressTopicResponse resp;
    return service.SuppressTopic(&ctx_, &req, &resp).error_code();
  };
  const auto owner =
      testing::FixedCaller::With({auth::scopes::kSuppressOwnAccountsTopic}, "owner-1");
  const auto other =
      testing::FixedCaller::With({auth::scopes::kSuppressOwnAccountsTopic}, "owner-2");
  const auto reader = testing::FixedCaller::With({auth::scopes::kReadEnrolments});
  EXPECT_EQ(suppress(owner, "acme.ru"), grpc::StatusCode::OK);
  EXPECT_EQ(suppress(other, "acme.ru"), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(suppress(owner, "unknown.ru"), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(suppress(reader, "acme.ru"), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(suppress(testing::FixedCaller(), "acme.ru"), grpc::StatusCode::UNAUTHENTICATED);
  ASSERT_TRUE(redis_->Run({"FLUSHALL"}).ok());  // the view is gone: no guess either way
  EXPECT_EQ(suppress(owner, "acme.ru"), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(suppress(other, "acme.ru"), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(NurtureAppTest, BadRequestsAreRejectedNotDropped) {
  kafka::ConsumedMessage m;
  m.payload = "\xff garbage";
  std::vector<kafka::OutgoingMessage> out;
  EXPECT_EQ(engine_->Handle(m, out).code(), StatusCode::kInvalidArgument);
  auto req = Request("B1");
  req.mutable_scored()->mutable_lead()->mutable_contact()->clear_contact_id();
  EXPECT_EQ(engine_->Handle(Msg(req), out).code(), StatusCode::kInvalidArgument);
  for (const char* topic : {topics::kLeadsAssigned, topics::kEngagementEvents,
                            topics::kSalesFeedback, topics::kAccountsInbound}) {
    m.topic = topic;
    EXPECT_EQ(engine_->ExitsHandler()(m, out).code(), StatusCode::kInvalidArgument) << topic;
  }
  m.topic = topics::kAccountsInbound;
  EXPECT_EQ(engine_->Handler()(m, out).code(), StatusCode::kInvalidArgument);
}

TEST_F(NurtureAppTest, LeadNoTrackMatchesIsRejectedNotDropped) {
  auto cfg = testutil::SampleConfig();
  cfg.mutable_tracks(2)->mutable_selector()->add_segments(cv1::SMB);  // no prospect catch-all
  auto policy = testutil::MustPolicy(cfg);
  NurtureEngine engine(policy, *store_, *accounts_, producer_, *metrics_, clock_);
  std::vector<kafka::OutgoingMessage> out;
  Status s = engine.Handle(Msg(Request("N1")), out);  // MID_MARKET, no stage
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("no PROSPECT nurture track matches"), std::string::npos);
}

}  // namespace
}  // namespace leadflow::nurture
