#include "notifier/app/webhook_delivery.h"

#include <gtest/gtest.h>

#include <deque>
#include <mutex>

#include "notifier/domain/webhook_signature.h"

namespace leadflow::notifier {
namespace {

using std::chrono::milliseconds;

// Answers from a script; records every request.
class ScriptedSender final : public WebhookSender {
 public:
  explicit ScriptedSender(std::deque<HttpAttempt> script) : script_(std::move(script)) {}
  HttpAttempt Post(const std::string&,
                   const std::vector<std::pair<std::string, std::string>>& headers,
                   const std::string&, const std::string& body, milliseconds timeout) override {
    std::lock_guard<std::mutex> l(mu_);
    requests.push_back({headers, body, timeout});
    if (script_.empty()) return {200, ""};
    HttpAttempt a = script_.front();
    script_.pop_front();
    return a;
  }
  struct Request {
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    milliseconds timeout;
  };
  std::vector<Request> requests;

  static std::string Header(const Request& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }

 private:
  std::mutex mu_;
  std::deque<HttpAttempt> script_;
};

// A fake clock: sleeping advances it; every waited delay is recorded.
struct FakeTime {
  std::chrono::steady_clock::time_point now{};
  std::vector<milliseconds> waits;
  DeliveryHooks Hooks() {
    DeliveryHooks h;
    h.now = [this] { return now; };
    h.sleep = [this](milliseconds d, const std::atomic<bool>& stop) {
      if (stop.load()) return false;
      waits.push_back(d);
      now += d;
      return true;
    };
    h.unix_seconds = [this] {
      return 1768381200 +
             std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    };
    h.jitter = [] { return 0.0; };
    return h;
  }
};

Endpoint MakeEndpoint(int max_attempts, int64_t deadline_ms) {
  Endpoint e;
  e.id = "e";
  e.team = "enterprise";
  e.template_kind = config::v1::GENERIC_JSON;
  e.url = "http://127.0.0.1:1/hook";
  e.secret = "0123456789abcdef";
  e.retry.max_attempts = max_attempts;
  e.retry.initial_backoff = milliseconds(100);
  e.retry.max_backoff = milliseconds(400);
  e.retry.deadline = milliseconds(deadline_ms);
  return e;
}

const WebhookBody kBody{"application/json", R"({"event_id":"evt_1"})"};

TEST(WebhookDeliveryTest, RetriesServerErrorsAndTimeoutsWithOneEventIdAndValidSignatures) {
  ScriptedSender sender({{500, ""}, {0, "timeout"}, {429, ""}, {204, ""}});
  FakeTime t;
  WebhookDelivery d(sender, milliseconds(5000), nullptr, t.Hooks());
  std::atomic<bool> stop{false};
  const DeliveryOutcome o =
      d.Deliver(MakeEndpoint(10, 60000), "evt_1", "lead_assigned", kBody, stop);
  EXPECT_TRUE(o.delivered);
  EXPECT_EQ(o.attempts, 4);
  ASSERT_EQ(sender.requests.size(), 4u);
  // Backoff without jitter: half of 100, 200, 400 ms.
  EXPECT_EQ(t.waits,
            (std::vector<milliseconds>{milliseconds(50), milliseconds(100), milliseconds(200)}));
  for (size_t i = 0; i < sender.requests.size(); ++i) {
    const auto& r = sender.requests[i];
    EXPECT_EQ(ScriptedSender::Header(r, "X-Leadflow-Event-Id"), "evt_1");
    EXPECT_EQ(ScriptedSender::Header(r, "X-Leadflow-Attempt"), std::to_string(i + 1));
    EXPECT_EQ(r.body, kBody.body);
    EXPECT_TRUE(VerifyWebhook("0123456789abcdef", ScriptedSender::Header(r, "X-Leadflow-Timestamp"),
                              r.body, ScriptedSender::Header(r, "X-Leadflow-Signature")));
  }
}

TEST(WebhookDeliveryTest, RejectedAtOnceOnAPermanentAnswer) {
  ScriptedSender sender({{404, ""}});
  FakeTime t;
  WebhookDelivery d(sender, milliseconds(5000), nullptr, t.Hooks());
  std::atomic<bool> stop{false};
  const DeliveryOutcome o = d.Deliver(MakeEndpoint(10, 60000), "evt_1", "k", kBody, stop);
  EXPECT_FALSE(o.delivered);
  EXPECT_EQ(o.reason, "rejected");
  EXPECT_EQ(o.attempts, 1);
  EXPECT_EQ(o.last_status, 404);
}

TEST(WebhookDeliveryTest, GivesUpAfterMaxAttempts) {
  ScriptedSender sender({{503, ""}, {503, ""}, {503, ""}, {200, ""}});
  FakeTime t;
  WebhookDelivery d(sender, milliseconds(5000), nullptr, t.Hooks());
  std::atomic<bool> stop{false};
  const DeliveryOutcome o = d.Deliver(MakeEndpoint(3, 60000), "evt_1", "k", kBody, stop);
  EXPECT_FALSE(o.delivered);
  EXPECT_EQ(o.reason, "attempts_exhausted");
  EXPECT_EQ(o.attempts, 3);
  EXPECT_EQ(o.last_error, "HTTP 503");
}

TEST(WebhookDeliveryTest, NoAttemptStartsAfterTheDeadlineAndTimeoutsShrinkToIt) {
  ScriptedSender sender({{500, ""}, {500, ""}, {500, ""}, {500, ""}});
  FakeTime t;
  WebhookDelivery d(sender, milliseconds(5000), nullptr, t.Hooks());
  std::atomic<bool> stop{false};
  // Waits 50 + 100 = 150 ms; the next (200 ms) would pass the 300 ms deadline.
  const DeliveryOutcome o = d.Deliver(MakeEndpoint(20, 300), "evt_1", "k", kBody, stop);
  EXPECT_FALSE(o.delivered);
  EXPECT_EQ(o.reason, "deadline");
  EXPECT_EQ(o.attempts, 3);
  EXPECT_EQ(sender.requests[0].timeout, milliseconds(300));
  EXPECT_EQ(sender.requests[2].timeout, milliseconds(150));
}

TEST(WebhookDeliveryTest, StopInterruptsWithoutAnOutcome) {
  ScriptedSender sender({{500, ""}});
  FakeTime t;
  WebhookDelivery d(sender, milliseconds(5000), nullptr, t.Hooks());
  std::atomic<bool> stop{true};
  const DeliveryOutcome o = d.Deliver(MakeEndpoint(5, 60000), "evt_1", "k", kBody, stop);
  EXPECT_TRUE(o.interrupted);
  EXPECT_FALSE(o.delivered);
  EXPECT_TRUE(o.reason.empty());
}

}  // namespace
}  // namespace leadflow::notifier
