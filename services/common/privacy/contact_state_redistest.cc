// ContactStateStore against a real redis-server.
#include "common/privacy/contact_state.h"

#include <gtest/gtest.h>

#include "common/testing/redis_server.h"

namespace leadflow::privacy {
namespace {

// Run with both kinds of key scheme: per-contact hash tags (one script call
// per item) and one shared tag (one script call per batch).
class ContactStateTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::RedisServer::Start({}, &error);
    ASSERT_TRUE(server_) << error;
    auto c = redis::Client::Connect({.url = server_->url()});
    ASSERT_TRUE(c.ok()) << c.status().message();
    client_ = std::move(*c);
    KeyScheme keys{[](const std::string& c) { return "t:{" + c + "}:leads"; },
                   [](const std::string& c) { return "t:{" + c + "}:withdrawn"; }};
    if (GetParam()) {
      keys = {[](const std::string& c) { return "t:{all}:leads:" + c; },
              [](const std::string& c) { return "t:{all}:withdrawn:" + c; }, true};
    }
    store_ = std::make_unique<ContactStateStore>(*client_, keys, std::chrono::hours(1));
  }
  std::unique_ptr<testing::RedisServer> server_;
  std::unique_ptr<redis::Client> client_;
  std::unique_ptr<ContactStateStore> store_;
};

TEST_P(ContactStateTest, IndexesLeadsAndReportsAWithdrawalUntilALaterLeadBringsNewConsent) {
  auto seen = store_->SeeLeads({{"c-1", "L-a", 100}, {"c-2", "L-b", 100}});
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(*seen[0], 0);
  auto w = store_->Withdraw({{"c-1", 500}, {"c-1", 400}});
  EXPECT_EQ(*w[0], 500);
  EXPECT_EQ(*w[1], 500);  // an older withdrawal does not move it back
  EXPECT_EQ(*store_->WithdrawnAt({"c-1"})[0], 500);
  EXPECT_EQ(*store_->WithdrawnAt({"c-2"})[0], 0);
  // A lead submitted before the withdrawal (in flight) is covered by it...
  EXPECT_EQ(*store_->SeeLeads({{"c-1", "L-c", 450}})[0], 500);
  // ...a lead submitted after it carries new consent and clears it.
  EXPECT_EQ(*store_->SeeLeads({{"c-1", "L-d", 600}})[0], 0);
  EXPECT_EQ(*store_->WithdrawnAt({"c-1"})[0], 0);
  auto leads = store_->LeadsOf("c-1");
  ASSERT_TRUE(leads.ok());
  EXPECT_EQ(leads->size(), 3u);
}

TEST_P(ContactStateTest, TombstoneDropsTheIndexAndKeepsOnlyTheMarker) {
  store_->SeeLeads({{"c-9", "L-x", 100}});
  ASSERT_TRUE(store_->Tombstone("c-9", 700).ok());
  ASSERT_TRUE(store_->Tombstone("c-9", 700).ok());  // redelivered: harmless
  EXPECT_EQ(store_->LeadsOf("c-9")->size(), 0u);
  EXPECT_EQ(server_->Command({"EXISTS", store_->keys().leads("c-9")}).value_or(""), "0");
  EXPECT_EQ(server_->Command({"GET", store_->keys().withdrawn("c-9")}).value_or(""), "700");
  EXPECT_NE(server_->Command({"TTL", store_->keys().withdrawn("c-9")}).value_or("-1"), "-1");
}

TEST_P(ContactStateTest, RedisDownIsUnavailableForEveryItem) {
  server_->Stop();
  auto r = store_->SeeLeads({{"c-1", "L-a", 1}, {"c-2", "L-b", 1}});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(r[1].status().code(), StatusCode::kUnavailable);
}

TEST_P(ContactStateTest, ABatchOfSeveralContactsGivesEachItsOwnResult) {
  store_->Withdraw({{"c-1", 500}});
  auto seen = store_->SeeLeads({{"c-1", "L-a", 400}, {"c-2", "L-b", 100}, {"c-1", "L-c", 450}});
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(*seen[0], 500);
  EXPECT_EQ(*seen[1], 0);
  EXPECT_EQ(*seen[2], 500);
  EXPECT_EQ(store_->LeadsOf("c-1")->size(), 2u);
  EXPECT_EQ(store_->LeadsOf("c-2")->size(), 1u);
  const std::string ttl = server_->Command({"TTL", store_->keys().leads("c-2")}).value_or("-1");
  EXPECT_GT(std::stoll(ttl), 0);
}

TEST_P(ContactStateTest, AnItemThatFailsInRedisFailsAloneAndTheOthersAreApplied) {
  // A leads index of the wrong type makes SADD fail for c-bad only.
  ASSERT_TRUE(server_->Command({"SET", store_->keys().leads("c-bad"), "x"}).has_value());
  auto seen = store_->SeeLeads({{"c-1", "L-a", 100}, {"c-bad", "L-b", 100}, {"c-2", "L-c", 100}});
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_TRUE(seen[0].ok());
  ASSERT_FALSE(seen[1].ok());
  EXPECT_EQ(seen[1].status().code(), StatusCode::kUnavailable);
  EXPECT_NE(seen[1].status().message().find("WRONGTYPE"), std::string::npos)
      << seen[1].status().message();
  EXPECT_TRUE(seen[2].ok());
  EXPECT_EQ(store_->LeadsOf("c-1")->size(), 1u);
  EXPECT_EQ(store_->LeadsOf("c-2")->size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(KeySchemes, ContactStateTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "OneSlot" : "PerContact"; });

}  // namespace
}  // namespace leadflow::privacy
