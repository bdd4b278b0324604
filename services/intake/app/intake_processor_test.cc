#include "intake/app/intake_processor.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "common/kafka/topics.h"
#include "intake/domain/identity.h"
#include "intake/testing/app_test_util.h"

namespace leadflow::intake {
namespace {

using google::protobuf::util::TimeUtil;
using testutil::GoodSubmission;

class IntakeProcessorTest : public ::testing::Test {
 protected:
  StatusOr<IntakeResult> Run(const leadflow::intake::v1::LeadSubmission& s,
                             SubmissionOrigin origin = {}) {
    return f_.processor.Process(s, origin);
  }
  testutil::ProcessorFixture f_;
};

TEST_F(IntakeProcessorTest, AcceptsAndBuildsLeadAccepted) {
  SubmissionOrigin origin;
  origin.trace_id = "trace-abc";
  auto r = Run(GoodSubmission(), origin);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->outcome, IntakeOutcome::kAccepted);
  EXPECT_EQ(r->lead_id.size(), 34u);
  EXPECT_EQ(r->lead_id.substr(0, 2), "L-");
  ASSERT_EQ(r->messages.size(), 1u);
  const auto& m = r->messages[0];
  EXPECT_EQ(m.topic, topics::kLeadsAccepted);
  EXPECT_EQ(m.key, "7707083893");
  EXPECT_EQ(testutil::Header(m, topics::kTraceHeader), "trace-abc");
  const auto lead = testutil::DecodeAccepted(m);
  EXPECT_EQ(lead.meta().lead_id(), r->lead_id);
  EXPECT_EQ(lead.meta().trace_id(), "trace-abc");
  EXPECT_EQ(lead.meta().relationship(), leadflow::common::v1::PROSPECT);
  EXPECT_EQ(lead.meta().source_id(), "web-form");
  EXPECT_EQ(TimeUtil::TimestampToMilliseconds(lead.meta().first_submitted_at()), 1'795'000'000'000);
  EXPECT_EQ(lead.contact().email(), "ivan.petrov@example.ru");
  EXPECT_EQ(lead.contact().buyer_class(), leadflow::common::v1::TECHNICAL);
  EXPECT_EQ(r->relationship, leadflow::common::v1::PROSPECT);
  EXPECT_EQ(f_.metrics.ReceivedCount("web-form", "accepted"), 1);
}

TEST_F(IntakeProcessorTest, SubmittedAtIsKeptAsFirstSubmittedAt) {
  auto s = GoodSubmission();
  *s.mutable_submitted_at() = TimeUtil::MillisecondsToTimestamp(1'700'000'000'500);
  auto r = Run(s);
  ASSERT_TRUE(r.ok());
  const auto lead = testutil::DecodeAccepted(r->messages[0]);
  EXPECT_EQ(TimeUtil::TimestampToMilliseconds(lead.meta().first_submitted_at()), 1'700'000'000'500);
}

TEST_F(IntakeProcessorTest, TraceIdDerivedFromLeadIdWhenAbsent) {
  auto r = Run(GoodSubmission());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(testutil::DecodeAccepted(r->messages[0]).meta().trace_id(), r->lead_id.substr(2));
}

TEST_F(IntakeProcessorTest, CustomerClassifiedWithOwnerAndAccountKey) {
  f_.accounts.Add(testutil::CustomerAccount());
  auto s = GoodSubmission();
  s.clear_inn();  // found by domain; still keyed by the lead's own account key
  auto r = Run(s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->relationship, leadflow::common::v1::CUSTOMER);
  const auto lead = testutil::DecodeAccepted(r->messages[0]);
  EXPECT_EQ(lead.meta().relationship(), leadflow::common::v1::CUSTOMER);
  EXPECT_EQ(lead.account_owner(), "rep-ivanova");
  EXPECT_EQ(lead.owner_team(), "key-accounts");
  EXPECT_EQ(lead.meta().account_key(), "example.ru");
  EXPECT_EQ(r->messages[0].key, "example.ru");
}

TEST_F(IntakeProcessorTest, RejectsWithFieldErrorsAndPublishesNothing) {
  auto s = GoodSubmission();
  s.set_consent(false);
  s.set_email("nope");
  auto r = Run(s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, IntakeOutcome::kRejected);
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0].field_path(), "email");
  EXPECT_EQ(r->errors[1].reason(), leadflow::common::v1::CONSENT_MISSING);
  EXPECT_TRUE(r->messages.empty());
  EXPECT_EQ(f_.memory_store.size(), 0u);
  EXPECT_EQ(f_.metrics.ReceivedCount("web-form", "rejected"), 1);
}

TEST_F(IntakeProcessorTest, UnconfiguredSourceCountedAsOther) {
  auto s = GoodSubmission();
  s.set_source_id("some-random-form-8731");
  ASSERT_TRUE(Run(s).ok());
  EXPECT_EQ(f_.metrics.ReceivedCount("other", "accepted"), 1);
  EXPECT_EQ(f_.metrics.ReceivedCount("some-random-form-8731", "accepted"), 0);
}

// The accepted lead carries the bounded campaign and the source's marketing
// flag; only unknown campaigns of accepted, first-time leads are counted.
TEST_F(IntakeProcessorTest, CampaignAndMarketingOnTheAcceptedLead) {
  auto known = GoodSubmission();
  known.set_campaign_id("spring-webinar-2026");
  auto r = Run(known);
  ASSERT_TRUE(r.ok());
  auto lead = testutil::DecodeAccepted(r->messages[0]);
  EXPECT_EQ(lead.meta().campaign_id(), "spring-webinar-2026");
  EXPECT_TRUE(lead.meta().marketing_sourced());
  EXPECT_EQ(f_.metrics.UnknownCampaignCount("web-form"), 0);

  auto unknown = GoodSubmission();
  unknown.set_email("olga@example.ru");
  unknown.set_campaign_id("utm-from-a-new-landing-page");
  r = Run(unknown);
  ASSERT_TRUE(r.ok());
  lead = testutil::DecodeAccepted(r->messages[0]);
  EXPECT_EQ(lead.meta().campaign_id(), "other");
  EXPECT_EQ(f_.metrics.UnknownCampaignCount("web-form"), 1);
  // Its duplicate is not a second unknown campaign.
  ASSERT_EQ(Run(unknown)->outcome, IntakeOutcome::kDuplicate);
  EXPECT_EQ(f_.metrics.UnknownCampaignCount("web-form"), 1);

  auto partner = GoodSubmission();
  partner.set_source_id("partner-portal");
  partner.set_email("anna@example.ru");
  partner.set_campaign_id("partner-day");
  r = Run(partner);
  ASSERT_TRUE(r.ok());
  lead = testutil::DecodeAccepted(r->messages[0]);
  EXPECT_FALSE(lead.meta().marketing_sourced());
  EXPECT_EQ(lead.meta().campaign_id(), "other");
  EXPECT_EQ(f_.metrics.UnknownCampaignCount("partner-portal"), 1);

  auto none = GoodSubmission();
  none.set_email("petr@example.ru");
  r = Run(none);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(testutil::DecodeAccepted(r->messages[0]).meta().campaign_id(), "");
  EXPECT_EQ(f_.metrics.UnknownCampaignCount("web-form"), 1);
}

TEST_F(IntakeProcessorTest, MalformedCampaignIsAFieldErrorNamingIt) {
  auto s = GoodSubmission();
  s.set_campaign_id("spring\x07webinar");
  auto r = Run(s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outcome, IntakeOutcome::kRejected);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].field_path(), "campaign_id");
  EXPECT_EQ(r->errors[0].reason(), leadflow::common::v1::INVALID_FIELD);
  EXPECT_TRUE(r->messages.empty());
  EXPECT_EQ(f_.metrics.UnknownCampaignCount("web-form"), 0);
}

TEST_F(IntakeProcessorTest, DuplicateGetsOriginalIdAndEngagementEvent) {
  auto first = Run(GoodSubmission());
  ASSERT_TRUE(first.ok());
  f_.clock.Advance(std::chrono::minutes(5));
  auto again = GoodSubmission();
  again.set_email("IVAN.PETROV@example.ru");  // same contact, other spelling
  auto second = Run(again);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->outcome, IntakeOutcome::kDuplicate);
  EXPECT_EQ(second->duplicate_of, first->lead_id);
  ASSERT_EQ(second->messages.size(), 1u);
  const auto& m = second->messages[0];
  EXPECT_EQ(m.topic, topics::kEngagementEvents);
  EXPECT_EQ(m.key, testutil::TestContactIdKey().ContactIdFor("ivan.petrov@example.ru"));
  leadflow::engagement::v1::EngagementEvent e;
  ASSERT_TRUE(e.ParseFromString(m.payload));
  EXPECT_EQ(e.type(), leadflow::engagement::v1::FORM_RESUBMITTED);
  EXPECT_EQ(e.lead_id(), first->lead_id);
  EXPECT_EQ(e.contact_id(), m.key);
  EXPECT_EQ(f_.metrics.ReceivedCount("web-form", "duplicate"), 1);
}

TEST_F(IntakeProcessorTest, DedupeWindowAndSourceScope) {
  auto first = Run(GoodSubmission());
  ASSERT_TRUE(first.ok());
  auto other_form = GoodSubmission();
  other_form.set_source_id("partner-portal");
  auto r2 = Run(other_form);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->outcome, IntakeOutcome::kAccepted);
  // The next window (and past the claim's TTL) is a new lead.
  f_.clock.Advance(std::chrono::hours(2));
  auto r3 = Run(GoodSubmission());
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r3->outcome, IntakeOutcome::kAccepted);
  EXPECT_NE(r3->lead_id, first->lead_id);
}

TEST_F(IntakeProcessorTest, ClientIdempotencyKeyWins) {
  auto a = GoodSubmission();
  a.set_idempotency_key("order-1");
  auto b = GoodSubmission();
  b.set_idempotency_key("order-2");
  auto ra = Run(a);
  auto rb = Run(b);
  ASSERT_TRUE(ra.ok() && rb.ok());
  EXPECT_EQ(rb->outcome, IntakeOutcome::kAccepted);  // same contact, different client keys
  auto c = GoodSubmission();
  c.set_email("someone.else@example.ru");
  c.set_idempotency_key("order-1");
  auto rc = Run(c);
  ASSERT_TRUE(rc.ok());
  EXPECT_EQ(rc->outcome, IntakeOutcome::kDuplicate);
  EXPECT_EQ(rc->duplicate_of, ra->lead_id);
}

TEST_F(IntakeProcessorTest, RedeliveryReproducesTheSameLead) {
  SubmissionOrigin origin;
  origin.redelivery_token = "leads.submitted/0/17";
  origin.received_at_ms = 1'794'999'000'000;
  auto first = Run(GoodSubmission(), origin);
  ASSERT_TRUE(first.ok());
  f_.clock.Advance(std::chrono::seconds(30));
  auto again = Run(GoodSubmission(), origin);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, IntakeOutcome::kAccepted);
  EXPECT_TRUE(again->redelivered);
  EXPECT_EQ(again->lead_id, first->lead_id);
  ASSERT_EQ(again->messages.size(), 1u);
  EXPECT_EQ(again->messages[0].payload, first->messages[0].payload);
  EXPECT_EQ(again->messages[0].key, first->messages[0].key);
  EXPECT_EQ(f_.metrics.ReceivedCount("web-form", "accepted"), 1);
  // A different record with the same content is a duplicate.
  origin.redelivery_token = "leads.submitted/0/18";
  auto dup = Run(GoodSubmission(), origin);
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->outcome, IntakeOutcome::kDuplicate);
}

TEST_F(IntakeProcessorTest, RegistryDownIsTransientAndReleasesTheClaim) {
  f_.accounts.SetUnavailable(true);
  auto r = Run(GoodSubmission());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(f_.memory_store.size(), 0u);
  f_.accounts.SetUnavailable(false);
  auto retry = Run(GoodSubmission());
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->outcome, IntakeOutcome::kAccepted);
}

TEST_F(IntakeProcessorTest, RedisDownIsTransient) {
  f_.memory_store.SetUnavailable(true);
  auto r = Run(GoodSubmission());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
}

TEST_F(IntakeProcessorTest, SubmitAndWaitPublishesBeforeAnswering) {
  testutil::LockedProducer producer;
  auto r = f_.processor.SubmitAndWait(GoodSubmission(), {}, producer, std::chrono::seconds(1));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(producer.SentTo(topics::kLeadsAccepted).size(), 1u);
  EXPECT_TRUE(producer.inner.pending.empty());
}

TEST_F(IntakeProcessorTest, FailedPublishReleasesClaimSoRetryIsNotADuplicate) {
  testutil::LockedProducer producer;
  producer.inner.fail_flush = true;
  auto r = f_.processor.SubmitAndWait(GoodSubmission(), {}, producer, std::chrono::seconds(1));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  producer.inner.fail_flush = false;
  auto retry = f_.processor.SubmitAndWait(GoodSubmission(), {}, producer, std::chrono::seconds(1));
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->outcome, IntakeOutcome::kAccepted);
}

TEST_F(IntakeProcessorTest, ConcurrentIdenticalSubmissionsYieldOneLead) {
  testutil::LockedProducer producer;
  constexpr int kThreads = 50;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<IntakeResult> results;
  std::atomic<bool> go{false};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      auto r = f_.processor.SubmitAndWait(GoodSubmission(), {}, producer, std::chrono::seconds(1));
      ASSERT_TRUE(r.ok());
      std::lock_guard<std::mutex> lock(mu);
      results.push_back(*r);
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  ASSERT_EQ(results.size(), static_cast<size_t>(kThreads));
  std::set<std::string> leads;
  int accepted = 0;
  for (const auto& r : results) {
    if (r.outcome == IntakeOutcome::kAccepted) {
      ++accepted;
      leads.insert(r.lead_id);
    } else {
      ASSERT_EQ(r.outcome, IntakeOutcome::kDuplicate);
      leads.insert(r.duplicate_of);
    }
  }
  EXPECT_EQ(accepted, 1);
  EXPECT_EQ(leads.size(), 1u);
  EXPECT_EQ(producer.SentTo(topics::kLeadsAccepted).size(), 1u);
  EXPECT_EQ(producer.SentTo(topics::kEngagementEvents).size(), static_cast<size_t>(kThreads - 1));
}

}  // namespace
}  // namespace leadflow::intake
