// Acceptance check of intake + scoring against the shipped defaults: every
// line of samples/leads.jsonl goes through the real IntakeProcessor (with the
// shipped intake.json and the CRM sample as the registry) and, if accepted,
// through ScoreLead with the shipped scoring_model.json. The expectations are
// the tables of samples/README.md. Skipped when the files are absent.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "common/kafka/topics.h"
#include "common/metrics/registry.h"
#include "common/metrics/service_metrics.h"
#include "intake/app/account_directory.h"
#include "intake/app/id_generator.h"
#include "intake/app/idempotency_store.h"
#include "intake/app/intake_processor.h"
#include "intake/testing/in_memory_account_directory.h"
#include "intake/testing/in_memory_idempotency_store.h"
#include "intake/testing/intake_test_util.h"
#include "intake/wire/submission_parser.h"
#include "scoring/domain/scorer.h"
#include "common/testing/paths.h"

namespace leadflow {
namespace {

using leadflow::common::v1::DealBand;
using leadflow::common::v1::ReasonCode;
using leadflow::common::v1::Segment;

std::string Root() { return leadflow::testing::SourceDir(); }

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

struct Outcome {
  bool accepted = false;
  ReasonCode reject_reason = leadflow::common::v1::REASON_UNSPECIFIED;
  std::string reject_field;
  leadflow::intake::v1::LeadAccepted lead;
  leadflow::scoring::v1::LeadScored score;
};

class SampleLeadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string root = Root();
    leads_ = Lines(root + "/samples/leads.jsonl");
    ASSERT_FALSE(leads_.empty()) << "samples/leads.jsonl not found under " << Root();
    leadflow::config::v1::IntakeConfig ic;
    leadflow::config::v1::ScoringModel sm;
    google::protobuf::util::JsonParseOptions strict;
    std::stringstream a, b;
    a << std::ifstream(root + "/config/intake.json").rdbuf();
    b << std::ifstream(root + "/config/scoring_model.json").rdbuf();
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(a.str(), &ic, strict).ok());
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(b.str(), &sm, strict).ok());
    auto ip = intake::IntakePolicy::Create(ic);
    ASSERT_TRUE(ip.ok()) << ip.status().message();
    auto sp = scoring::ScoringPolicy::Create(sm);
    ASSERT_TRUE(sp.ok()) << sp.status().message();
    scoring_ = *sp;
    for (const auto& line : Lines(root + "/config/accounts.sample.jsonl")) {
      if (line.empty()) continue;
      leadflow::accounts::v1::AccountState acct;
      ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &acct, strict).ok()) << line;
      accounts_.Add(acct);
    }
    processor_ =
        std::make_unique<intake::IntakeProcessor>(*ip, store_, accounts_, metrics_, clock_, ids_,
                                                  intake::testutil::TestContactIdKey());
    for (size_t i = 0; i < leads_.size(); ++i) {
      if (leads_[i].empty()) continue;
      outcomes_[static_cast<int>(i + 1)] = Run(leads_[i], static_cast<int64_t>(i));
    }
  }

  Outcome Run(const std::string& line, int64_t offset) {
    Outcome o;
    auto parsed = intake::ParseSubmission(line, intake::PayloadFormat::kJson, 65536);
    if (!parsed.ok()) {
      o.reject_reason = static_cast<ReasonCode>(parsed.status().reason());
      return o;
    }
    intake::SubmissionOrigin origin;
    origin.redelivery_token = "leads.submitted/0/" + std::to_string(offset);
    auto r = processor_->Process(*parsed, origin);
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (!r.ok()) return o;
    if (r->outcome == intake::IntakeOutcome::kRejected) {
      o.reject_reason = r->errors.front().reason();
      o.reject_field = r->errors.front().field_path();
      return o;
    }
    EXPECT_EQ(r->outcome, intake::IntakeOutcome::kAccepted) << "line at offset " << offset;
    o.accepted = true;
    EXPECT_TRUE(o.lead.ParseFromString(r->messages.at(0).payload));
    o.score = scoring::ScoreLead(o.lead, *scoring_, {});
    return o;
  }

  std::vector<std::string> leads_;
  std::map<int, Outcome> outcomes_;
  FakeClock clock_{1'795'000'000'000};
  metrics::Registry registry_;
  metrics::ServiceMetrics service_metrics_{registry_, "intake"};
  intake::IntakeMetrics metrics_{service_metrics_};
  intake::InMemoryIdempotencyStore store_{clock_};
  intake::InMemoryAccountDirectory accounts_;
  intake::IdGenerator ids_{7};
  std::unique_ptr<intake::IntakeProcessor> processor_;
  std::shared_ptr<const scoring::ScoringPolicy> scoring_;
};

TEST_F(SampleLeadsTest, InvalidLinesAreRejectedWithTheDocumentedReason) {
  const std::map<int, std::pair<ReasonCode, std::string>> expected = {
      {7, {leadflow::common::v1::MISSING_FIELD, "email"}},
      {16, {leadflow::common::v1::INVALID_FIELD, "email"}},
      {24, {leadflow::common::v1::CONSENT_MISSING, "consent"}},
      {33, {leadflow::common::v1::INVALID_FIELD, "inn"}},
      {42, {leadflow::common::v1::MALFORMED_PAYLOAD, ""}},
      {49, {leadflow::common::v1::MALFORMED_PAYLOAD, ""}},
  };
  for (const auto& [line, o] : outcomes_) {
    auto it = expected.find(line);
    if (it == expected.end()) {
      EXPECT_TRUE(o.accepted) << "line " << line << " rejected: "
                              << leadflow::common::v1::ReasonCode_Name(o.reject_reason) << " "
                              << o.reject_field;
      continue;
    }
    EXPECT_FALSE(o.accepted) << "line " << line;
    EXPECT_EQ(o.reject_reason, it->second.first) << "line " << line;
    EXPECT_EQ(o.reject_field, it->second.second) << "line " << line;
  }
  EXPECT_EQ(outcomes_.size(), 53u);
}

TEST_F(SampleLeadsTest, CustomersAreClassifiedAsCustomers) {
  for (int line : {1, 2, 3, 4, 5, 6, 8, 9, 10, 11}) {
    const auto& o = outcomes_[line];
    ASSERT_TRUE(o.accepted) << line;
    EXPECT_EQ(o.lead.meta().relationship(), leadflow::common::v1::CUSTOMER) << "line " << line;
    EXPECT_FALSE(o.lead.account_owner().empty()) << "line " << line;
  }
  EXPECT_EQ(outcomes_[1].lead.account_owner(), "ka-vorontsov");
  EXPECT_EQ(outcomes_[11].lead.sales_channel(), leadflow::common::v1::PARTNER);
}

TEST_F(SampleLeadsTest, NamedAccounts) {
  for (int line : {12, 13, 14}) {
    ASSERT_TRUE(outcomes_[line].accepted) << line;
    EXPECT_TRUE(outcomes_[line].score.named_account()) << "line " << line;
  }
  EXPECT_EQ(outcomes_[13].lead.meta().account_key(), "gazprom.ru");
}

struct Qualified {
  int line;
  Segment segment;
  DealBand band;
  double total;
};

TEST_F(SampleLeadsTest, QualifiedProspectsSegmentsBandsAndTotals) {
  using namespace leadflow::common::v1;
  const Qualified table[] = {
      {15, ENTERPRISE, DEAL_BAND_LARGE, 165},    {17, ENTERPRISE, DEAL_BAND_LARGE, 123},
      {18, GOVERNMENT, DEAL_BAND_LARGE, 163},    {19, INFRASTRUCTURE, DEAL_BAND_LARGE, 118},
      {20, MID_MARKET, DEAL_BAND_LARGE, 145},    {21, ENTERPRISE, DEAL_BAND_STANDARD, 111},
      {22, GOVERNMENT, DEAL_BAND_STANDARD, 145}, {26, MID_MARKET, DEAL_BAND_STANDARD, 105},
      {28, MID_MARKET, DEAL_BAND_STANDARD, 125}, {29, MID_MARKET, DEAL_BAND_STANDARD, 109},
      {34, MID_MARKET, DEAL_BAND_SMALL, 120},    {35, SMB, DEAL_BAND_SMALL, 105},
      {37, MID_MARKET, DEAL_BAND_STANDARD, 125}, {38, ENTERPRISE, DEAL_BAND_LARGE, 123},
      {46, MID_MARKET, DEAL_BAND_STANDARD, 105}, {50, MID_MARKET, DEAL_BAND_STANDARD, 107},
  };
  for (const auto& q : table) {
    const auto& o = outcomes_[q.line];
    ASSERT_TRUE(o.accepted) << q.line;
    EXPECT_EQ(o.lead.meta().relationship(), PROSPECT) << "line " << q.line;
    EXPECT_EQ(o.score.segment(), q.segment) << "line " << q.line;
    EXPECT_EQ(o.score.deal_band(), q.band) << "line " << q.line;
    EXPECT_NEAR(o.score.total_score(), q.total, 1e-9) << "line " << q.line;
    EXPECT_EQ(o.score.lifecycle_stage(), MQL) << "line " << q.line;
  }
  EXPECT_EQ(outcomes_[26].lead.contact().email(), "pavel.kim@polka-retail.ru");
  EXPECT_EQ(outcomes_[46].lead.meta().account_key(), outcomes_[46].lead.company().inn());
  EXPECT_EQ(outcomes_[22].lead.contact().buyer_class_inferred(), false);
}

TEST_F(SampleLeadsTest, NurtureProspectsTotals) {
  const std::pair<int, double> table[] = {
      {23, 76.8}, {25, 64},   {27, 91},   {30, 25.4}, {31, 55},   {32, 27.8}, {36, 42},
      {39, 15.2}, {45, 12.8}, {47, 32.8}, {48, 61},   {51, 23.2}, {52, 75}};
  for (const auto& [line, total] : table) {
    const auto& o = outcomes_[line];
    ASSERT_TRUE(o.accepted) << line;
    EXPECT_NEAR(o.score.total_score(), total, 1e-9) << "line " << line;
    EXPECT_EQ(o.score.lifecycle_stage(), leadflow::common::v1::LEAD) << "line " << line;
    EXPECT_FALSE(o.score.disqualified()) << "line " << line;
  }
  EXPECT_EQ(outcomes_[45].lead.meta().account_key(), outcomes_[45].lead.contact().email());
  EXPECT_EQ(outcomes_[47].lead.contact().phone(), "+79123456789");
  EXPECT_EQ(outcomes_[51].score.bant().product(), 16);
  EXPECT_EQ(outcomes_[51].score.bant().defaulted_size(), 4);
}

TEST_F(SampleLeadsTest, ScreenedOut) {
  const std::pair<int, ReasonCode> table[] = {{40, leadflow::common::v1::SCREENED_INDUSTRY},
                                              {41, leadflow::common::v1::SCREENED_INDUSTRY},
                                              {43, leadflow::common::v1::SCREENED_HEADCOUNT},
                                              {44, leadflow::common::v1::SCREENED_REGION}};
  for (const auto& [line, reason] : table) {
    const auto& o = outcomes_[line];
    ASSERT_TRUE(o.accepted) << line;
    EXPECT_TRUE(o.score.disqualified()) << "line " << line;
    EXPECT_EQ(o.score.lifecycle_stage(), leadflow::common::v1::DISQUALIFIED);
    ASSERT_EQ(o.score.disqualification_reasons_size(), 1) << "line " << line;
    EXPECT_EQ(o.score.disqualification_reasons(0), reason) << "line " << line;
  }
  EXPECT_NEAR(outcomes_[40].score.total_score(), 125, 1e-9);
}


// Line 53: the demo's large deal with weak answers (issue 18.1): far below
// the MQL threshold, but 80 mln RUB, so routing's order.large_deal sends it
// to key-accounts instead of nurture.
TEST_F(SampleLeadsTest, LargeDealWithWeakAnswers) {
  const auto& o = outcomes_[53];
  ASSERT_TRUE(o.accepted);
  EXPECT_EQ(o.score.segment(), leadflow::common::v1::MID_MARKET);
  EXPECT_EQ(o.score.deal_band(), leadflow::common::v1::DEAL_BAND_LARGE);
  EXPECT_EQ(o.score.bant().product(), 15);
  EXPECT_NEAR(o.score.total_score(), 31, 1e-9);  // as samples/README.md documents
  EXPECT_FALSE(o.score.disqualified());
}

// samples/queue.jsonl, the demo's ranked queue (issue 18.2): five qualified
// small deals, each with its own BANT product, submitted out of rank order.
TEST_F(SampleLeadsTest, QueueSamplesAreQualifiedSmallDealsOfDistinctRank) {
  const auto lines = Lines(Root() + "/samples/queue.jsonl");
  const int expected_products[] = {300, 500, 375, 625, 400};
  int i = 0;
  for (const auto& line : lines) {
    if (line.empty()) continue;
    ASSERT_LT(i, 5);
    const Outcome o = Run(line, 1000 + i);
    ASSERT_TRUE(o.accepted) << line;
    EXPECT_EQ(o.score.deal_band(), leadflow::common::v1::DEAL_BAND_SMALL) << line;
    EXPECT_EQ(o.score.segment(), leadflow::common::v1::MID_MARKET) << line;
    EXPECT_GE(o.score.total_score(), 100) << line;
    EXPECT_EQ(o.score.bant().product(), expected_products[i]) << line;
    ++i;
  }
  EXPECT_EQ(i, 5);
}

}  // namespace
}  // namespace leadflow
