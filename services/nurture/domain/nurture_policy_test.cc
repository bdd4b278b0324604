#include "nurture/domain/nurture_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <functional>

#include "common/config/proto_loader.h"
#include "nurture/testing/nurture_test_util.h"
#include "common/testing/paths.h"

namespace leadflow::nurture {
namespace {

namespace cv1 = leadflow::common::v1;
using leadflow::config::v1::NurtureConfig;

using leadflow::testing::SourceDir;

TEST(NurturePolicy, SampleConfigValidates) {
  auto p = NurturePolicy::Create(testutil::SampleConfig());
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_NE((*p)->FindContent("p-pilot"), nullptr);
  EXPECT_EQ((*p)->FindContent("nope"), nullptr);
  EXPECT_NE((*p)->FindTrack("c-general"), nullptr);
}

struct BadCase {
  const char* name;
  std::function<void(NurtureConfig&)> mutate;
  const char* expected;
};

class NurturePolicyErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(NurturePolicyErrors, NamesTrackStepAndContent) {
  NurtureConfig c = testutil::SampleConfig();
  GetParam().mutate(c);
  auto p = NurturePolicy::Create(c);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(p.status().message().find(GetParam().expected), std::string::npos)
      << p.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    All, NurturePolicyErrors,
    ::testing::Values(
        BadCase{"UnspecifiedTrackAudience",
                [](NurtureConfig& c) {
                  c.mutable_tracks(2)->set_audience(cv1::RELATIONSHIP_UNSPECIFIED);
                },
                "tracks[2] \"p-general\": audience must be exactly one of PROSPECT or CUSTOMER"},
        BadCase{
            "MixedAudiences",
            [](NurtureConfig& c) { testutil::AddStep(c.mutable_tracks(2), "c-update", 0); },
            "tracks[2] \"p-general\": steps[3] content \"c-update\": has audience CUSTOMER, the "
            "track PROSPECT"},
        BadCase{"CustomerTrackWithProspectContent",
                [](NurtureConfig& c) { testutil::AddStep(c.mutable_tracks(3), "p-analytics", 0); },
                "tracks[3] \"c-general\": steps[2] content \"p-analytics\": has audience PROSPECT"},
        BadCase{"UnknownContent",
                [](NurtureConfig& c) { testutil::AddStep(c.mutable_tracks(0), "ghost", 0); },
                "tracks[0] \"p-status-quo\": steps[2] content \"ghost\": is not in the catalogue"},
        BadCase{"ContentWithoutAudience",
                [](NurtureConfig& c) {
                  c.mutable_catalogue(0)->set_audience(cv1::RELATIONSHIP_UNSPECIFIED);
                },
                "catalogue[0] \"p-analytics\": audience must be PROSPECT or CUSTOMER"},
        BadCase{
            "WebsiteOnlyWithoutBenefit",
            [](NurtureConfig& c) { testutil::AddStep(c.mutable_tracks(2), "p-partnership", 0); },
            "steps[3] content \"p-partnership\": is website-only news (PARTNERSHIP), never pushed "
            "in a track"},
        BadCase{"WebsiteOnlyEvenWithBenefit",
                [](NurtureConfig& c) {
                  c.mutable_catalogue(6)->set_client_benefit("two months shorter");
                  testutil::AddStep(c.mutable_tracks(2), "p-partnership", 0);
                },
                "is website-only news (PARTNERSHIP), never pushed in a track"},
        BadCase{"WeakItemWithoutBenefit",
                [](NurtureConfig& c) {
                  c.mutable_catalogue(9)->clear_client_benefit();
                  testutil::AddStep(c.mutable_tracks(2), "p-weak-integration", 0);
                },
                "steps[3] content \"p-weak-integration\": is a weak item without a client_benefit"},
        BadCase{"CampaignNotDeclared",
                [](NurtureConfig& c) { c.mutable_catalogue(0)->set_campaign_id("ghost-campaign"); },
                "catalogue[0] \"p-analytics\": campaign_id \"ghost-campaign\" is not declared"},
        BadCase{"CampaignMissingCustomerVariant",
                [](NurtureConfig& c) { c.mutable_catalogue(10)->clear_campaign_id(); },
                "campaigns[0] \"roi-webinar\": serves CUSTOMER but has no variant for it"},
        BadCase{"VariantForAnAudienceTheCampaignDoesNotServe",
                [](NurtureConfig& c) {
                  c.mutable_campaigns(0)->clear_audiences();
                  c.mutable_campaigns(0)->add_audiences(cv1::PROSPECT);
                },
                "catalogue[10] \"c-webinar\": is a CUSTOMER variant of campaign \"roi-webinar\", "
                "which does not serve that audience"},
        BadCase{"CampaignWithoutAudience",
                [](NurtureConfig& c) { c.mutable_campaigns(0)->clear_audiences(); },
                "campaigns[0] \"roi-webinar\": audiences must list"},
        BadCase{"CampaignUnspecifiedAudience",
                [](NurtureConfig& c) {
                  c.mutable_campaigns(0)->add_audiences(cv1::RELATIONSHIP_UNSPECIFIED);
                },
                "audiences may only be PROSPECT or CUSTOMER"},
        BadCase{"DuplicateCampaign",
                [](NurtureConfig& c) { *c.add_campaigns() = c.campaigns(0); },
                "duplicate campaign_id"},
        BadCase{"NoCustomerTrack",
                [](NurtureConfig& c) { c.mutable_tracks()->RemoveLast(); },
                "tracks: no CUSTOMER track"},
        BadCase{"ProspectTrackIsAlsoCustomer",
                [](NurtureConfig& c) { c.mutable_tracks(2)->set_audience(cv1::CUSTOMER); },
                "tracks[2] \"p-general\": steps[0] content \"p-analytics\": has audience PROSPECT, "
                "the track CUSTOMER"},
        BadCase{"UnknownDefaultTimeZone",
                [](NurtureConfig& c) {
                  c.mutable_quiet_hours()->set_default_time_zone("Europe/Atlantis");
                },
                "quiet_hours.default_time_zone: unknown time zone \"Europe/Atlantis\""},
        BadCase{"PerWeekBelowPerDay",
                [](NurtureConfig& c) {
                  c.mutable_caps()->set_per_day(5);
                  c.mutable_caps()->set_per_week(3);
                },
                "caps.per_week: must be >= caps.per_day"},
        BadCase{"PitchAtStatusQuo",
                [](NurtureConfig& c) { testutil::AddStep(c.mutable_tracks(0), "p-pilot", 0); },
                "tracks[0] \"p-status-quo\": steps[2] content \"p-pilot\": is a product pitch, but "
                "the track selects STATUS_QUO"},
        BadCase{"PitchInAnyStageTrack",
                [](NurtureConfig& c) { testutil::AddStep(c.mutable_tracks(2), "p-pilot", 0); },
                "the track selects any buyer stage"},
        BadCase{"EventsDominate",
                [](NurtureConfig& c) { testutil::AddStep(c.mutable_tracks(1), "p-webinar", 0); },
                "tracks[1] \"p-economic\": events are 2 of 4 steps, above max_event_share"},
        BadCase{"DuplicateTrack",
                [](NurtureConfig& c) { c.mutable_tracks(1)->set_track_id("p-status-quo"); },
                "duplicate track_id"},
        BadCase{"DuplicateContent",
                [](NurtureConfig& c) { c.mutable_catalogue(1)->set_content_id("p-analytics"); },
                "duplicate content_id"},
        BadCase{"NoSteps", [](NurtureConfig& c) { c.mutable_tracks(3)->clear_steps(); },
                "tracks[3] \"c-general\": has no steps"},
        BadCase{
            "NegativeDelay",
            [](NurtureConfig& c) { c.mutable_tracks(0)->mutable_steps(1)->set_delay_hours(-1); },
            "steps[1] content \"p-analytics-2\": delay_hours must be >= 0"},
        BadCase{"NoChannel",
                [](NurtureConfig& c) {
                  c.mutable_tracks(0)->mutable_steps(0)->set_channel(cv1::CHANNEL_UNSPECIFIED);
                },
                "channel must be set"},
        BadCase{"ZeroPerDayCap", [](NurtureConfig& c) { c.mutable_caps()->set_per_day(0); },
                "caps.per_day: must be > 0"},
        BadCase{"ZeroPerWeekCap", [](NurtureConfig& c) { c.mutable_caps()->set_per_week(0); },
                "caps.per_week: must be > 0"},
        BadCase{"QuietHour24",
                [](NurtureConfig& c) { c.mutable_quiet_hours()->set_start_hour(24); },
                "quiet_hours.start_hour: must be in 0..23"},
        BadCase{"QuietHourNegative",
                [](NurtureConfig& c) { c.mutable_quiet_hours()->set_end_hour(-1); },
                "quiet_hours.end_hour"},
        BadCase{"NoEventShare", [](NurtureConfig& c) { c.set_max_event_share(0); },
                "max_event_share"},
        BadCase{"NoVersion", [](NurtureConfig& c) { c.clear_version(); }, "version"},
        BadCase{"NoTopic", [](NurtureConfig& c) { c.mutable_catalogue(2)->clear_topic(); },
                "catalogue[2] \"p-results\": topic must be set"},
        BadCase{"OptInTopicPushedToCustomers",
                [](NurtureConfig& c) {
                  c.add_customer_opt_in_topics("product_updates");
                },
                "tracks[3] \"c-general\": steps[0] content \"c-update\": has topic "
                "\"product_updates\", which is in customer_opt_in_topics: a customer track "
                "carrying it must be opt-in (set opt_in_intents)"},
        BadCase{"OptInTopicListedTwice",
                [](NurtureConfig& c) {
                  c.add_customer_opt_in_topics("content_outsourcing");
                  c.add_customer_opt_in_topics("content_outsourcing");
                },
                "customer_opt_in_topics[1]: topic \"content_outsourcing\" listed twice"},
        BadCase{"EmptyOptInIntent",
                [](NurtureConfig& c) { c.mutable_tracks(3)->add_opt_in_intents(""); },
                "tracks[3] \"c-general\": opt_in_intents[0] must not be empty"},
        BadCase{"ProgrammeWithAProspectTrack",
                [](NurtureConfig& c) {
                  testutil::AddProgramme(c, "audit", "p-general");
                },
                "programmes[0] \"audit\": track_id \"p-general\" has audience PROSPECT: "
                "programmes are for customers only"},
        BadCase{"ProgrammeSmallBaseProspectTrack",
                [](NurtureConfig& c) {
                  auto* p = testutil::AddProgramme(c, "audit", "c-general");
                  p->set_small_base_track_id("p-status-quo");
                  p->set_large_base_min_accounts(100);
                },
                "programmes[0] \"audit\": small_base_track_id \"p-status-quo\" has audience "
                "PROSPECT"},
        BadCase{"ProgrammeUnknownTrack",
                [](NurtureConfig& c) { testutil::AddProgramme(c, "audit", "ghost"); },
                "programmes[0] \"audit\": track_id \"ghost\" is not a track"},
        BadCase{"ProgrammeWithAnOptInTrack",
                [](NurtureConfig& c) {
                  c.mutable_tracks(3)->add_opt_in_intents("updates");
                  testutil::AddProgramme(c, "audit", "c-general");
                },
                "track_id \"c-general\" is opt-in"},
        BadCase{"ProgrammeWithoutPeriod",
                [](NurtureConfig& c) {
                  testutil::AddProgramme(c, "audit", "c-general")->set_period_days(0);
                },
                "programmes[0] \"audit\": period_days must be > 0"},
        BadCase{"ProgrammeWindowLongerThanPeriod",
                [](NurtureConfig& c) {
                  testutil::AddProgramme(c, "audit", "c-general")->set_enrol_window_days(400);
                },
                "programmes[0] \"audit\": enrol_window_days must be in 1..period_days"},
        BadCase{"ProgrammeSmallBaseWithoutThreshold",
                [](NurtureConfig& c) {
                  testutil::AddProgramme(c, "audit", "c-general")
                      ->set_small_base_track_id("c-general");
                },
                "large_base_min_accounts must be > 0 when small_base_track_id is set"},
        BadCase{"ProgrammeIdWithSeparator",
                [](NurtureConfig& c) { testutil::AddProgramme(c, "a~b", "c-general"); },
                "programme_id must not contain"},
        BadCase{"DuplicateProgramme",
                [](NurtureConfig& c) {
                  testutil::AddProgramme(c, "audit", "c-general");
                  testutil::AddProgramme(c, "audit", "c-general");
                },
                "programmes[1] \"audit\": duplicate programme_id"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

TEST(NurturePolicy, WeakItemWithClientBenefitIsSendable) {
  NurtureConfig c = testutil::SampleConfig();
  testutil::AddStep(c.mutable_tracks(2), "p-weak-integration", 0);
  EXPECT_TRUE(NurturePolicy::Create(c).ok());
}

TEST(NurturePolicy, WebsiteOnlyItemsMayStayInTheCatalogue) {
  // Website news may be catalogued (for the site), just never used in a track.
  NurtureConfig c = testutil::SampleConfig();
  testutil::AddContent(c, "w-rating", cv1::PROSPECT, "company_news", cv1::RATING);
  EXPECT_TRUE(NurturePolicy::Create(c).ok());
}

TEST(NurturePolicy, ProductPitchAllowedOutsideStatusQuo) {
  // p-economic selects PROBLEM_AWARE and READY_TO_BUY and carries the p-pilot pitch.
  auto p = NurturePolicy::Create(testutil::SampleConfig());
  ASSERT_TRUE(p.ok()) << p.status().message();
}

TEST(NurturePolicy, WebsiteOnlyTypes) {
  for (auto t : {cv1::NEW_DIVISION, cv1::PROJECT_START, cv1::PARTNERSHIP, cv1::APPOINTMENT,
                 cv1::EVENT_REPORT, cv1::RATING}) {
    EXPECT_TRUE(IsWebsiteOnly(t)) << cv1::NewsType_Name(t);
  }
  for (auto t : {cv1::OWNERSHIP_CHANGE, cv1::PROJECT_COMPLETION, cv1::NEW_PRODUCT, cv1::ANALYTICS,
                 cv1::SPECIAL_PROJECT, cv1::YEAR_RESULTS}) {
    EXPECT_FALSE(IsWebsiteOnly(t)) << cv1::NewsType_Name(t);
  }
}

TEST(NurturePolicy, EventShareAtTheLimitIsAllowed) {
  NurtureConfig c = testutil::SampleConfig();
  c.set_max_event_share(1.0 / 3);  // p-economic: exactly 1 of 3
  EXPECT_TRUE(NurturePolicy::Create(c).ok());
  c.set_max_event_share(0.33);
  EXPECT_FALSE(NurturePolicy::Create(c).ok());
}

TEST(TrackSelection, HighestPriorityMatchingTrackOfTheAudience) {
  auto p = testutil::MustPolicy(testutil::SampleConfig());
  TrackQuery q;
  q.audience = cv1::PROSPECT;
  q.buyer_stage = cv1::STATUS_QUO;
  q.buyer_class = cv1::ECONOMIC;
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "p-status-quo");
  q.buyer_stage = cv1::READY_TO_BUY;
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "p-economic");
  q.buyer_class = cv1::TECHNICAL;
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "p-general");
  q.buyer_class = cv1::BUYER_CLASS_UNSPECIFIED;
  q.buyer_stage = cv1::BUYER_STAGE_UNSPECIFIED;
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "p-general");
}

TEST(TrackSelection, NeverCrossesAudiences) {
  auto p = testutil::MustPolicy(testutil::SampleConfig());
  TrackQuery q;
  q.audience = cv1::CUSTOMER;
  q.buyer_stage = cv1::STATUS_QUO;  // the prospect status-quo track has priority 100
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "c-general");
  q.audience = cv1::RELATIONSHIP_UNSPECIFIED;
  EXPECT_EQ(p->SelectTrack(q), nullptr);
}

TEST(TrackSelection, NoMatchGivesNull) {
  NurtureConfig c = testutil::SampleConfig();
  c.mutable_tracks(2)->mutable_selector()->add_segments(cv1::SMB);
  auto p = testutil::MustPolicy(c);
  TrackQuery q;
  q.segment = cv1::ENTERPRISE;
  EXPECT_EQ(p->SelectTrack(q), nullptr);
  q.segment = cv1::SMB;
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "p-general");
}

TEST(TrackSelection, TiesGoToTheEarlierTrack) {
  NurtureConfig c = testutil::SampleConfig();
  auto* dup = c.add_tracks();
  *dup = c.tracks(2);
  dup->set_track_id("p-general-2");
  auto p = testutil::MustPolicy(c);
  EXPECT_EQ(p->SelectTrack(TrackQuery{})->track_id(), "p-general");
}

TEST(NurturePolicy, OptInTrackCarriesAnOptInTopicAndOnlyOpensForTheIntent) {
  NurtureConfig c = testutil::SampleConfig();
  c.add_customer_opt_in_topics("content_outsourcing");
  testutil::AddContent(c, "c-outsourcing", cv1::CUSTOMER, "content_outsourcing",
                       cv1::SPECIAL_PROJECT, /*pitch=*/true);
  auto* t = c.add_tracks();
  t->set_track_id("c-outsourcing-on-request");
  t->set_audience(cv1::CUSTOMER);
  t->set_priority(90);
  testutil::AddStep(t, "c-outsourcing", 0, cv1::SPECIAL_OFFER_WITH_CALL);
  // Without opt_in_intents the pitch of an opt-in topic is refused ...
  EXPECT_FALSE(NurturePolicy::Create(c).ok());
  // ... with them it loads (a contact who asked is not at status quo about it).
  t->add_opt_in_intents("content_outsourcing");
  auto p = testutil::MustPolicy(c);
  TrackQuery q;
  q.audience = cv1::CUSTOMER;
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "c-general");  // not asked: never the opt-in track
  q.intent = "request_demo";
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "c-general");
  q.intent = "content_outsourcing";
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "c-outsourcing-on-request");
  q.audience = cv1::PROSPECT;  // the intent never crosses the wall
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "p-general");
}

TEST(NurturePolicy, ProgrammeOfCustomerTracksLoads) {
  NurtureConfig c = testutil::SampleConfig();
  auto* prog = testutil::AddProgramme(c, "audit", "c-general");
  prog->set_small_base_track_id("c-general");
  prog->set_large_base_min_accounts(100);
  auto p = testutil::MustPolicy(c);
  ASSERT_NE(p->FindProgramme("audit"), nullptr);
  EXPECT_EQ(p->FindProgramme("nope"), nullptr);
}

// Issue 18, point 6: the sources' customer asked four times to stop
// content-outsourcing offers. The shipped catalogue must never push that
// topic to a customer who did not ask for it. Failed on the shipped
// config/nurture.json before this change (customer-upsell carried
// c-content-outsourcing as its third step).
TEST(NurturePolicy, ShippedConfigPushesNoOptInTopicToCustomersUnasked) {
  NurtureConfig c;
  ASSERT_TRUE(config::LoadProtoFile(SourceDir() + "/config/nurture.json", &c).ok());
  auto p = testutil::MustPolicy(c);
  const auto& opt_in = c.customer_opt_in_topics();
  EXPECT_NE(std::find(opt_in.begin(), opt_in.end(), "content_outsourcing"), opt_in.end())
      << "content_outsourcing must be a customer opt-in topic";
  for (const auto& t : c.tracks()) {
    if (t.audience() != cv1::CUSTOMER || t.opt_in_intents_size() > 0) continue;
    for (const auto& st : t.steps()) {
      EXPECT_NE(p->FindContent(st.content_id())->topic(), "content_outsourcing")
          << t.track_id() << " pushes " << st.content_id() << " to customers who did not ask";
    }
  }
  // The item stays available for customers who ask.
  TrackQuery q;
  q.audience = cv1::CUSTOMER;
  q.intent = "content_outsourcing";
  const auto* asked = p->SelectTrack(q);
  ASSERT_NE(asked, nullptr);
  EXPECT_EQ(p->FindContent(asked->steps(0).content_id())->topic(), "content_outsourcing");
}

TEST(NurturePolicy, ShippedProgrammesAreTheYearlyAuditAndPersonalUpdates) {
  NurtureConfig c;
  ASSERT_TRUE(config::LoadProtoFile(SourceDir() + "/config/nurture.json", &c).ok());
  auto p = testutil::MustPolicy(c);
  const auto* audit = p->FindProgramme("satisfaction-audit");
  ASSERT_NE(audit, nullptr);
  EXPECT_EQ(audit->period_days(), 365);
  EXPECT_EQ(p->FindTrack(audit->track_id())->steps(0).channel(), cv1::QUESTIONNAIRE);
  const auto* small = p->FindTrack(audit->small_base_track_id());
  ASSERT_NE(small, nullptr);
  EXPECT_EQ(small->steps(0).channel(), cv1::PERSONAL_MEETING);
  EXPECT_EQ(audit->large_base_min_accounts(), 100);
  const auto* updates = p->FindProgramme("personal-updates");
  ASSERT_NE(updates, nullptr);
  EXPECT_EQ(updates->period_days(), audit->period_days());  // the same schedule
  EXPECT_EQ(updates->track_id(), "customer-personal-updates");
}

TEST(NurturePolicy, ShippedDefaultConfigLoadsAndValidates) {
  const std::string src = SourceDir();
  NurtureConfig c;
  Status s = config::LoadProtoFile(std::string(src) + "/config/nurture.json", &c);
  ASSERT_TRUE(s.ok()) << s.message();
  auto p = NurturePolicy::Create(c);
  ASSERT_TRUE(p.ok()) << p.status().message();
}

TEST(NurturePolicy, ShippedTracksFollowTheDomain) {
  const std::string src = SourceDir();
  NurtureConfig c;
  ASSERT_TRUE(config::LoadProtoFile(std::string(src) + "/config/nurture.json", &c).ok());
  auto p = testutil::MustPolicy(c);
  TrackQuery q;
  q.audience = cv1::PROSPECT;
  q.buyer_stage = cv1::SOLUTION_EXPLORATION;
  q.buyer_class = cv1::ECONOMIC;
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "prospect-economic-roi");
  q.buyer_class = cv1::TECHNICAL;
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "prospect-technical-standards");
  q.buyer_class = cv1::END_USER;
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "prospect-end-user-convenience");
  q.buyer_stage = cv1::STATUS_QUO;  // no pitch at status quo: analytics only
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "prospect-status-quo-analytics");
  q.audience = cv1::CUSTOMER;
  q.buyer_class = cv1::ECONOMIC;
  q.decision_role = cv1::DECISION_MAKER;
  q.buyer_stage = cv1::READY_TO_BUY;
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "customer-upsell");
  q.buyer_class = cv1::TECHNICAL;
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "customer-satisfaction-audit");
  const auto* audit = p->FindTrack("customer-satisfaction-audit");
  EXPECT_EQ(audit->steps(0).channel(), cv1::QUESTIONNAIRE);  // run by marketing
  q.decision_role = cv1::INFLUENCER;
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "customer-personal-updates");
  for (const auto& t : p->config().tracks()) {
    for (const auto& st : t.steps()) {
      EXPECT_EQ(p->FindContent(st.content_id())->audience(), t.audience()) << t.track_id();
    }
  }
}


// Account development (issue 18.3): a lead sales sent back for a protected
// reason gets the track its reason selects, before any other; nobody else
// ever gets that track.
NurtureConfig WithAccountDevelopment() {
  NurtureConfig c = testutil::SampleConfig();
  auto* ad = c.add_tracks();
  ad->set_track_id("p-next-tender");
  ad->set_audience(cv1::PROSPECT);
  ad->set_priority(-10);  // lower than p-general: the reason, not the priority, chooses it
  ad->mutable_selector()->add_rejection_reasons(cv1::RIGID_SPEC);
  ad->mutable_selector()->add_rejection_reasons(cv1::TAILORED_FOR_COMPETITOR);
  testutil::AddStep(ad, "p-analytics", 0);
  return c;
}

TEST(TrackSelection, AProtectedRejectionGetsTheTrackItsReasonSelects) {
  auto p = testutil::MustPolicy(WithAccountDevelopment());
  TrackQuery q;
  q.audience = cv1::PROSPECT;
  q.buyer_stage = cv1::STATUS_QUO;  // would be p-status-quo (priority 100) without a reason
  q.rejection_reason = cv1::RIGID_SPEC;
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "p-next-tender");
  q.rejection_reason = cv1::TAILORED_FOR_COMPETITOR;
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "p-next-tender");
  // A reason no track lists: nurtured like any other lead.
  q.rejection_reason = cv1::BUDGET_TOO_SMALL;
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "p-status-quo");
  // Without a reason, never the account-development track.
  q.rejection_reason = cv1::REASON_UNSPECIFIED;
  q.buyer_stage = cv1::BUYER_STAGE_UNSPECIFIED;
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "p-general");
}

TEST(NurturePolicy, RejectionReasonsAreForProspectTracksAndNamed) {
  NurtureConfig c = WithAccountDevelopment();
  c.mutable_tracks(4)->mutable_selector()->add_rejection_reasons(cv1::REASON_UNSPECIFIED);
  auto p = NurturePolicy::Create(c);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find(
                "tracks[4] \"p-next-tender\": selector.rejection_reasons has REASON_UNSPECIFIED"),
            std::string::npos)
      << p.status().message();
  c = testutil::SampleConfig();
  c.mutable_tracks(3)->mutable_selector()->add_rejection_reasons(cv1::RIGID_SPEC);  // c-general
  p = NurturePolicy::Create(c);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("tracks[3] \"c-general\": selector.rejection_reasons is "
                                      "for PROSPECT tracks only"),
            std::string::npos)
      << p.status().message();
}

// Failed on the shipped config/nurture.json before issue 18.3: every
// protected reason fell into the generic prospect tracks.
TEST(NurturePolicy, ShippedConfigDevelopsTheAccountForEachProtectedReason) {
  NurtureConfig c;
  ASSERT_TRUE(config::LoadProtoFile(SourceDir() + "/config/nurture.json", &c).ok());
  auto p = testutil::MustPolicy(c);
  const std::pair<cv1::ReasonCode, const char*> expected[] = {
      {cv1::BUDGET_TOO_SMALL, "account-dev-budget"},
      {cv1::RIGID_SPEC, "account-dev-next-tender-spec"},
      {cv1::TAILORED_FOR_COMPETITOR, "account-dev-next-tender-spec"},
  };
  for (const auto& [reason, track] : expected) {
    for (auto stage : {cv1::STATUS_QUO, cv1::VENDOR_EVALUATION}) {
      TrackQuery q;
      q.audience = cv1::PROSPECT;
      q.segment = cv1::ENTERPRISE;
      q.buyer_class = cv1::TECHNICAL;
      q.buyer_stage = stage;
      q.rejection_reason = reason;
      const auto* t = p->SelectTrack(q);
      ASSERT_NE(t, nullptr) << cv1::ReasonCode_Name(reason);
      EXPECT_EQ(t->track_id(), track) << cv1::ReasonCode_Name(reason);
    }
  }
}

// Buying committees (issue 18.4): a contact of an account whose coverage lacks
// a buyer class gets content aimed at that class (to forward to a colleague);
// an unknown coverage never opens such a track.
NurtureConfig WithCommitteeGap() {
  NurtureConfig c = testutil::SampleConfig();
  auto* gap = c.add_tracks();
  gap->set_track_id("p-gap-economic");
  gap->set_audience(cv1::PROSPECT);
  gap->set_priority(70);
  gap->mutable_selector()->add_missing_buyer_classes(cv1::ECONOMIC);
  gap->mutable_selector()->add_buyer_classes(cv1::TECHNICAL);
  gap->mutable_selector()->add_buyer_classes(cv1::END_USER);
  testutil::AddStep(gap, "p-analytics", 0);
  return c;
}

TEST(TrackSelection, AContactOfAnAccountMissingAClassIsAimedAtIt) {
  auto p = testutil::MustPolicy(WithCommitteeGap());
  TrackQuery q;
  q.audience = cv1::PROSPECT;
  q.buyer_class = cv1::TECHNICAL;
  q.buyer_stage = cv1::READY_TO_BUY;
  q.coverage_known = true;
  q.missing_buyer_classes = {cv1::ECONOMIC, cv1::END_USER};
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "p-gap-economic");
  q.missing_buyer_classes = {cv1::END_USER};  // the economic buyer is engaged
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "p-general");
  q.missing_buyer_classes = {};
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "p-general");
  // Unknown is never taken for "missing".
  q.coverage_known = false;
  q.missing_buyer_classes = {cv1::ECONOMIC};
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "p-general");
  // Only for the classes the selector lists as the contact's.
  q.coverage_known = true;
  q.buyer_class = cv1::ECONOMIC;
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "p-economic");
}

TEST(NurturePolicy, MissingBuyerClassesAreNamed) {
  NurtureConfig c = WithCommitteeGap();
  c.mutable_tracks(4)->mutable_selector()->add_missing_buyer_classes(cv1::BUYER_CLASS_UNSPECIFIED);
  auto p = NurturePolicy::Create(c);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("tracks[4] \"p-gap-economic\": "
                                      "selector.missing_buyer_classes has BUYER_CLASS_UNSPECIFIED"),
            std::string::npos)
      << p.status().message();
}

// Failed on the shipped config/nurture.json before issue 18.4: no track was
// aimed at a missing buyer class.
TEST(NurturePolicy, ShippedConfigAimsContactsAtTheClassesNotYetEngaged) {
  NurtureConfig c;
  ASSERT_TRUE(config::LoadProtoFile(SourceDir() + "/config/nurture.json", &c).ok());
  auto p = testutil::MustPolicy(c);
  TrackQuery q;
  q.audience = cv1::PROSPECT;
  q.buyer_stage = cv1::VENDOR_EVALUATION;
  q.coverage_known = true;
  q.buyer_class = cv1::TECHNICAL;
  q.missing_buyer_classes = {cv1::ECONOMIC, cv1::END_USER};
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "prospect-gap-economic-buyer");
  q.buyer_class = cv1::END_USER;
  q.missing_buyer_classes = {cv1::ECONOMIC, cv1::TECHNICAL};
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "prospect-gap-economic-buyer")
      << "an end user lacking both: the economic buyer first (the deal needs its money)";
  q.buyer_class = cv1::ECONOMIC;
  q.missing_buyer_classes = {cv1::TECHNICAL};
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "prospect-gap-technical-buyer");
  // A complete committee, or an unknown one: the class tracks as before.
  q.missing_buyer_classes = {};
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "prospect-economic-roi");
  q.coverage_known = false;
  q.missing_buyer_classes = {cv1::TECHNICAL};
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "prospect-economic-roi");
  // Before the account evaluates vendors the contact gets its own class's
  // content; at status quo, analytics only.
  q.coverage_known = true;
  q.buyer_stage = cv1::SOLUTION_EXPLORATION;
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "prospect-economic-roi");
  q.buyer_stage = cv1::STATUS_QUO;
  EXPECT_EQ(p->SelectTrack(q)->track_id(), "prospect-status-quo-analytics");
  for (const char* id : {"prospect-gap-economic-buyer", "prospect-gap-technical-buyer"}) {
    const auto* t = p->FindTrack(id);
    ASSERT_NE(t, nullptr) << id;
    EXPECT_EQ(t->audience(), cv1::PROSPECT) << id;
    for (const auto& st : t->steps()) {
      EXPECT_FALSE(p->FindContent(st.content_id())->product_pitch()) << id;
    }
  }
}

}  // namespace
}  // namespace leadflow::nurture
