#include "routing/domain/consent.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "routing/domain/router.h"
#include "routing/testing/routing_test_util.h"

namespace leadflow::routing {
namespace {

namespace cv1 = leadflow::common::v1;
using google::protobuf::util::TimeUtil;

leadflow::scoring::v1::LeadScored Lead(cv1::Relationship rel, int64_t submitted_ms) {
  leadflow::scoring::v1::LeadScored s;
  s.mutable_lead()->mutable_meta()->set_lead_id("L-1");
  s.mutable_lead()->mutable_meta()->set_relationship(rel);
  *s.mutable_lead()->mutable_meta()->mutable_first_submitted_at() =
      TimeUtil::MillisecondsToTimestamp(submitted_ms);
  s.set_lifecycle_stage(cv1::MQL);
  return s;
}

TEST(Consent, AProspectLeadGivenBeforeTheWithdrawalIsDisqualifiedWithConsentMissingFirst) {
  auto s = Lead(cv1::PROSPECT, 1000);
  s.set_disqualified(true);
  s.add_disqualification_reasons(cv1::SCREENED_INDUSTRY);
  ASSERT_TRUE(DisqualifyForWithdrawnConsent(2000, &s));
  EXPECT_TRUE(s.disqualified());
  EXPECT_EQ(s.lifecycle_stage(), cv1::DISQUALIFIED);
  ASSERT_EQ(s.disqualification_reasons_size(), 2);
  EXPECT_EQ(s.disqualification_reasons(0), cv1::CONSENT_MISSING);
  EXPECT_EQ(s.disqualification_reasons(1), cv1::SCREENED_INDUSTRY);
  EXPECT_FALSE(DisqualifyForWithdrawnConsent(2000, &s)) << "idempotent";
}

TEST(Consent, CustomersLaterLeadsAndContactsWhoNeverWithdrewAreUntouched) {
  auto customer = Lead(cv1::CUSTOMER, 1000);
  EXPECT_FALSE(DisqualifyForWithdrawnConsent(2000, &customer));
  auto later = Lead(cv1::PROSPECT, 3000);
  EXPECT_FALSE(DisqualifyForWithdrawnConsent(2000, &later));
  auto never = Lead(cv1::PROSPECT, 1000);
  EXPECT_FALSE(DisqualifyForWithdrawnConsent(0, &never));
  EXPECT_FALSE(never.disqualified());
  EXPECT_EQ(never.lifecycle_stage(), cv1::MQL);
}

TEST(Consent, TheRouterThenDisqualifiesTheMqlInsteadOfAssigningIt) {
  using namespace testutil;
  Router router(MustPolicy(SampleRules()));
  auto s = Mql(cv1::MID_MARKET, cv1::DEAL_BAND_STANDARD);
  const int64_t submitted = TimeUtil::TimestampToMilliseconds(s.lead().meta().first_submitted_at());
  ASSERT_TRUE(DisqualifyForWithdrawnConsent(submitted + 1, &s));
  const RoutingResult r = router.Decide(s, RepStateView{}, FridayNoonMoscow());
  EXPECT_EQ(r.decision.outcome(), leadflow::routing::v1::DISQUALIFIED);
  EXPECT_EQ(r.reason, cv1::CONSENT_MISSING);
}

}  // namespace
}  // namespace leadflow::routing
