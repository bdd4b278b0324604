// ContactStateStore against a real redis-server.
#include "common/privacy/contact_state.h"

#include <gtest/gtest.h>

#include "services/common/testing/redis_server.h"

namespace leadflow::privacy {
namespace {

class ContactStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    server_ = testing::RedisServer::Start({}, &error);
    ASSERT_TRUE(server_) << error;
    auto c = redis::Client::Connect({.url = server_->url()});
    ASSERT_TRUE(c.ok()) << c.status().message();
    client_ = std::move(*c);
    store_ = std::make_unique<ContactStateStore>(
        *client_,
        KeyScheme{[](const std::string& c) { return "t:{" + c + "}:leads"; },
                  [](const std::string& c) { return "t:{" + c + "}:withdrawn"; }},
        std::chrono::hours(1));
  }
  std::unique_ptr<testing::RedisServer> server_;
  std::unique_ptr<redis::Client> client_;
  std::unique_ptr<ContactStateStore> store_;
};

TEST_F(ContactStateTest, IndexesLeadsAndReportsAWithdrawalUntilALaterLeadBringsNewConsent) {
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

TEST_F(ContactStateTest, TombstoneDropsTheIndexAndKeepsOnlyTheMarker) {
  store_->SeeLeads({{"c-9", "L-x", 100}});
  ASSERT_TRUE(store_->Tombstone("c-9", 700).ok());
  ASSERT_TRUE(store_->Tombstone("c-9", 700).ok());  // redelivered: harmless
  EXPECT_EQ(store_->LeadsOf("c-9")->size(), 0u);
  EXPECT_EQ(server_->Command({"EXISTS", "t:{c-9}:leads"}).value_or(""), "0");
  EXPECT_EQ(server_->Command({"GET", "t:{c-9}:withdrawn"}).value_or(""), "700");
  EXPECT_NE(server_->Command({"TTL", "t:{c-9}:withdrawn"}).value_or("-1"), "-1");
}

TEST_F(ContactStateTest, RedisDownIsUnavailableForEveryItem) {
  server_->Stop();
  auto r = store_->SeeLeads({{"c-1", "L-a", 1}, {"c-2", "L-b", 1}});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(r[1].status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace leadflow::privacy
