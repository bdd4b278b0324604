// IntakeProcessor attaches the account's buying-committee coverage to every
// accepted lead (docs/domain-rules.md §2, "Buying committees").
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "intake/testing/app_test_util.h"

namespace leadflow::intake {
namespace {

using leadflow::common::v1::DECISION_MAKER;
using leadflow::common::v1::ECONOMIC;
using leadflow::common::v1::TECHNICAL;
using testutil::GoodSubmission;

std::vector<int> Classes(const google::protobuf::RepeatedField<int>& classes) {
  return {classes.begin(), classes.end()};
}

class CoverageProcessorTest : public ::testing::Test {
 protected:
  void SetUp() override { f_.processor.set_contact_store(&contacts_); }
  leadflow::intake::v1::LeadAccepted Accept(const leadflow::intake::v1::LeadSubmission& s) {
    auto r = f_.processor.Process(s, {});
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (!r.ok() || r->messages.empty()) return {};
    EXPECT_EQ(r->outcome, IntakeOutcome::kAccepted);
    return testutil::DecodeAccepted(r->messages[0]);
  }
  static leadflow::intake::v1::LeadSubmission Person(const std::string& email,
                                                     const std::string& title) {
    auto s = GoodSubmission();
    s.set_email(email);
    s.set_job_title(title);
    return s;
  }
  testutil::ProcessorFixture f_;
  testutil::InMemoryAccountContactStore contacts_;
};

TEST_F(CoverageProcessorTest, AnEngineerThenACeoOfOneAccount) {
  auto engineer = Person("engineer@example.ru", "Product owner");
  const auto first = Accept(engineer);
  const auto& c1 = first.company().coverage();
  EXPECT_TRUE(c1.known());
  EXPECT_EQ(c1.account_key(), "7707083893");
  EXPECT_EQ(Classes(c1.engaged_classes()), (std::vector<int>{TECHNICAL}));
  EXPECT_FALSE(c1.decision_maker_known());
  EXPECT_EQ(c1.known_contacts(), 1);

  const auto second = Accept(Person("ceo@example.ru", "CEO"));
  const auto& c2 = second.company().coverage();
  EXPECT_EQ(Classes(c2.engaged_classes()), (std::vector<int>{ECONOMIC, TECHNICAL}));
  EXPECT_TRUE(c2.decision_maker_known());
  EXPECT_EQ(c2.known_contacts(), 2);
  EXPECT_FALSE(c2.complete());
}

TEST_F(CoverageProcessorTest, TwoLeadsOfOneAccountInOneBatchSeeEachOther) {
  const auto a = Person("a@example.ru", "Product owner");
  const auto b = Person("b@example.ru", "CEO");
  auto results = f_.processor.ProcessMany({{&a, {}}, {&b, {}}});
  ASSERT_EQ(results.size(), 2u);
  ASSERT_TRUE(results[1].ok());
  const auto lead = testutil::DecodeAccepted(results[1]->messages[0]);
  EXPECT_EQ(lead.company().coverage().known_contacts(), 2);
}

TEST_F(CoverageProcessorTest, TheCrmsContactsOfTheRegistryAccountCount) {
  auto account = testutil::CustomerAccount();
  auto* cfo = account.add_contacts();
  cfo->set_contact_id("c-0123456789abcdef");
  cfo->set_buyer_class(ECONOMIC);
  cfo->set_decision_role(DECISION_MAKER);
  f_.accounts.Add(account);
  auto s = GoodSubmission();
  s.clear_inn();  // found by domain: kept under the registry's account key
  const auto lead = Accept(s);
  const auto& c = lead.company().coverage();
  EXPECT_EQ(c.account_key(), "7707083893");
  EXPECT_EQ(lead.meta().account_key(), "example.ru");
  EXPECT_EQ(c.known_contacts(), 2);
  EXPECT_EQ(Classes(c.engaged_classes()), (std::vector<int>{ECONOMIC, TECHNICAL}));
  EXPECT_TRUE(c.decision_maker_known());
}

TEST_F(CoverageProcessorTest, AFreeMailLeadIsItsOwnCoverageAndNothingIsKept) {
  auto s = GoodSubmission();
  s.set_email("ivan@gmail.com");
  s.clear_inn();
  const auto lead = Accept(s);
  const auto& c = lead.company().coverage();
  EXPECT_TRUE(c.known());
  EXPECT_TRUE(c.account_key().empty());
  EXPECT_EQ(c.known_contacts(), 1);
  EXPECT_EQ(contacts_.Accounts(), 0u) << "no key named after an email";
}

TEST_F(CoverageProcessorTest, AnUnknownCoverageMakesTheLeadWaitNotGuess) {
  contacts_.SetDown(true);
  auto r = f_.processor.Process(GoodSubmission(), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  // The claim was given up: the retry is the lead, not a duplicate of it.
  contacts_.SetDown(false);
  auto retry = f_.processor.Process(GoodSubmission(), {});
  ASSERT_TRUE(retry.ok()) << retry.status().message();
  EXPECT_EQ(retry->outcome, IntakeOutcome::kAccepted);
  EXPECT_TRUE(testutil::DecodeAccepted(retry->messages[0]).company().coverage().known());
}

TEST_F(CoverageProcessorTest, AViewStillBuildingIsWaitedForAMoment) {
  f_.processor.set_contact_store(&contacts_, std::chrono::milliseconds(300));
  contacts_.SetDown(true);
  std::thread up([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    contacts_.SetDown(false);
  });
  auto r = f_.processor.Process(GoodSubmission(), {});
  up.join();
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(testutil::DecodeAccepted(r->messages[0]).company().coverage().known());
  // A view that stays unknown is still refused after the wait.
  contacts_.SetDown(true);
  auto s = GoodSubmission();
  s.set_email("other@example.ru");
  const auto started = std::chrono::steady_clock::now();
  auto refused = f_.processor.Process(s, {});
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(300));
}

}  // namespace
}  // namespace leadflow::intake
