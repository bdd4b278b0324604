#include "notifier/app/notifier_handler.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "common/config/proto_loader.h"
#include "common/kafka/topics.h"
#include "leadflow/notifier/v1/notifier.pb.h"
#include "leadflow/nurture/v1/nurture.pb.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "notifier/domain/webhook_signature.h"

namespace leadflow::notifier {
namespace {

using std::chrono::milliseconds;

// Answers by URL: ".../ok" 200, ".../down" 503, ".../gone" 404.
class UrlSender final : public WebhookSender {
 public:
  HttpAttempt Post(const std::string& url,
                   const std::vector<std::pair<std::string, std::string>>& headers,
                   const std::string&, const std::string& body, milliseconds) override {
    std::lock_guard<std::mutex> l(mu_);
    std::string id;
    for (const auto& [k, v] : headers) {
      if (k == "X-Leadflow-Event-Id") id = v;
    }
    sent.push_back({url, id, body});
    if (url.ends_with("/ok")) return {200, ""};
    if (url.ends_with("/gone")) return {404, ""};
    return {503, ""};
  }
  struct Sent {
    std::string url, event_id, body;
  };
  std::vector<Sent> sent;

 private:
  std::mutex mu_;
};

DeliveryHooks InstantHooks() {
  DeliveryHooks h = SystemDeliveryHooks();
  h.sleep = [](milliseconds, const std::atomic<bool>& stop) { return !stop.load(); };
  return h;
}

class NotifierHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config::v1::NotifierConfig c;
    ASSERT_TRUE(config::ParseProtoJson(R"({"version":"t",
      "default_retry":{"max_attempts":3,"initial_backoff_ms":1,"max_backoff_ms":2},
      "endpoints":[
        {"id":"team-ok","team":"enterprise","template":"GENERIC_JSON","url":"http://h/ok","secret_env":"K"},
        {"id":"rep-down","rep_id":"en-orlov","template":"SLACK","url":"http://h/down","secret_env":"K"},
        {"id":"partners-gone","team":"partners","template":"GENERIC_JSON","url":"http://h/gone","secret_env":"K"}]})",
                                       "test", &c)
                    .ok());
    auto p = NotifierPolicy::Create(
        c, [](const std::string&) -> std::optional<std::string> { return "0123456789abcdef0123"; });
    ASSERT_TRUE(p.ok()) << p.status().message();
    policy_ = *p;
    delivery_ =
        std::make_unique<WebhookDelivery>(sender_, milliseconds(100), &metrics_, InstantHooks());
    handler_ = std::make_unique<NotifierHandler>(DefaultEventTable(), policy_, *delivery_, metrics_,
                                                 clock_, stop_);
  }

  static kafka::ConsumedMessage Message(const std::string& topic, int64_t offset,
                                        std::string payload) {
    kafka::ConsumedMessage m;
    m.topic = topic;
    m.partition = 1;
    m.offset = offset;
    m.payload = std::move(payload);
    m.headers.push_back({topics::kTraceHeader, "trace-1"});
    return m;
  }

  static std::string Assigned(const std::string& team, const std::string& rep) {
    routing::v1::LeadAssigned a;
    a.mutable_scored()->mutable_lead()->mutable_meta()->set_lead_id("L-" + team);
    a.mutable_decision()->set_outcome(routing::v1::ASSIGNED);
    a.mutable_decision()->set_team(team);
    a.mutable_decision()->set_rep_id(rep);
    return a.SerializeAsString();
  }

  metrics::Registry registry_;
  metrics::ServiceMetrics service_metrics_{registry_, "notifier"};
  NotifierMetrics metrics_{service_metrics_};
  UrlSender sender_;
  FakeClock clock_{1768381200000};
  std::atomic<bool> stop_{false};
  std::shared_ptr<const NotifierPolicy> policy_;
  std::unique_ptr<WebhookDelivery> delivery_;
  std::unique_ptr<NotifierHandler> handler_;
};

TEST_F(NotifierHandlerTest, DeliversToEveryEndpointUnderOneIdAndDeadLettersTheFailure) {
  const auto results = handler_->HandleBatch(
      {Message(topics::kLeadsAssigned, 7, Assigned("enterprise", "en-orlov"))});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].status.ok()) << results[0].status.message();
  // team-ok once, rep-down three times (max_attempts), all with one id.
  ASSERT_EQ(sender_.sent.size(), 4u);
  for (const auto& s : sender_.sent) EXPECT_EQ(s.event_id, sender_.sent[0].event_id);
  ASSERT_EQ(results[0].out.size(), 1u);
  const auto& out = results[0].out[0];
  EXPECT_EQ(out.topic, topics::kNotificationsDead);
  EXPECT_EQ(out.key, sender_.sent[0].event_id);
  ASSERT_EQ(out.headers.size(), 1u);
  EXPECT_EQ(out.headers[0].value, "trace-1");
  notifier::v1::NotificationDeadLetter d;
  ASSERT_TRUE(d.ParseFromString(out.payload));
  EXPECT_EQ(d.event_id(), out.key);
  EXPECT_EQ(d.source_topic(), topics::kLeadsAssigned);
  EXPECT_EQ(d.source_partition(), 1);
  EXPECT_EQ(d.source_offset(), 7);
  EXPECT_EQ(d.kind(), "lead_assigned");
  EXPECT_EQ(d.endpoint_id(), "rep-down");
  EXPECT_EQ(d.target(), "rep:en-orlov");
  EXPECT_EQ(d.template_(), "SLACK");
  EXPECT_EQ(d.last_http_status(), 503);
  EXPECT_EQ(d.attempts(), 3);
  EXPECT_EQ(d.reason(), "attempts_exhausted");
  EXPECT_EQ(d.dead_at().seconds(), 1768381200);
  EXPECT_FALSE(d.body().empty());
  EXPECT_EQ(metrics_.DeliveryCount("GENERIC_JSON", DeliveryEnd::kDelivered), 1);
  EXPECT_EQ(metrics_.DeliveryCount("SLACK", DeliveryEnd::kDeadLettered), 1);
  EXPECT_EQ(metrics_.DeadLetterCount("attempts_exhausted"), 1);
}

TEST_F(NotifierHandlerTest, APermanentAnswerIsDeadLetteredWithoutRetries) {
  const auto results =
      handler_->HandleBatch({Message(topics::kLeadsAssigned, 1, Assigned("partners", "pa-x"))});
  ASSERT_EQ(sender_.sent.size(), 1u);
  ASSERT_EQ(results[0].out.size(), 1u);
  notifier::v1::NotificationDeadLetter d;
  ASSERT_TRUE(d.ParseFromString(results[0].out[0].payload));
  EXPECT_EQ(d.reason(), "rejected");
  EXPECT_EQ(d.last_http_status(), 404);
  EXPECT_EQ(metrics_.DeadLetterCount("rejected"), 1);
}

TEST_F(NotifierHandlerTest, GarbageIsInvalidAndSilentKindsAndUnknownTargetsSendNothing) {
  nurture::v1::AccountNotification touch;
  touch.set_kind(nurture::v1::TOUCH_SENT);
  touch.set_owner_rep_id("en-orlov");
  const auto results = handler_->HandleBatch({
      Message(topics::kLeadsAssigned, 1, "\xff\xff\xff not a proto"),
      Message(topics::kAccountsNotifications, 2, touch.SerializeAsString()),
      Message(topics::kLeadsAssigned, 3, Assigned("small-deals", "sd-x")),
  });
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(results[1].status.ok());
  EXPECT_TRUE(results[2].status.ok());
  for (const auto& r : results) EXPECT_TRUE(r.out.empty());
  EXPECT_TRUE(sender_.sent.empty());
}

TEST_F(NotifierHandlerTest, ShutdownLeavesTheEventUncommittedWithoutDeadLetters) {
  stop_ = true;
  const auto results = handler_->HandleBatch(
      {Message(topics::kLeadsAssigned, 1, Assigned("enterprise", "en-orlov"))});
  EXPECT_EQ(results[0].status.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(results[0].out.empty());
  EXPECT_EQ(metrics_.DeadLetterCount("attempts_exhausted"), 0);
}

TEST_F(NotifierHandlerTest, DeliveriesPastTheBatchBudgetAreLeftForALaterBatch) {
  NotifierHandler spent(DefaultEventTable(), policy_, *delivery_, metrics_, clock_, stop_,
                        milliseconds(0));
  const auto results =
      spent.HandleBatch({Message(topics::kLeadsAssigned, 1, Assigned("enterprise", "en-orlov")),
                         Message(topics::kLeadsAssigned, 2, Assigned("small-deals", "sd-x"))});
  EXPECT_EQ(results[0].status.code(), StatusCode::kUnavailable);  // consumed again
  EXPECT_TRUE(results[0].out.empty());
  EXPECT_TRUE(results[1].status.ok());  // nothing to deliver
  EXPECT_TRUE(sender_.sent.empty());
  EXPECT_EQ(metrics_.DeliveryCount("GENERIC_JSON", DeliveryEnd::kDeferred), 1);
}

TEST_F(NotifierHandlerTest, ARedeliveryCarriesTheSameEventId) {
  handler_->HandleBatch({Message(topics::kLeadsAssigned, 9, Assigned("enterprise", ""))});
  handler_->HandleBatch({Message(topics::kLeadsAssigned, 9, Assigned("enterprise", ""))});
  ASSERT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(sender_.sent[0].event_id, sender_.sent[1].event_id);
  EXPECT_EQ(sender_.sent[0].body, sender_.sent[1].body);
}

}  // namespace
}  // namespace leadflow::notifier
