#include "notifier/domain/webhook_signature.h"

#include <gtest/gtest.h>

#include <string>

namespace leadflow::notifier {
namespace {

// RFC 4231 test case 7 (HMAC-SHA-256): a 131-byte key of 0xaa; the data holds
// one ". ", so it splits into a "timestamp" and a "body" that SignWebhook joins
// with "." back into the RFC's exact data.
TEST(WebhookSignatureTest, MatchesRfc4231TestCase7) {
  const std::string key(131, '\xaa');
  const std::string timestamp =
      "This is a test using a larger than block-size key and a larger than block-size data";
  const std::string body = " The key needs to be hashed before being used by the HMAC algorithm.";
  EXPECT_EQ(SignWebhook(key, timestamp, body),
            "v1=9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

// The same as `printf '%s' '1768381200.{"event_id":"evt_1"}' |
//   openssl dgst -sha256 -hmac 'whsec-test-key-0123456789'` (docs/notifier.md).
TEST(WebhookSignatureTest, MatchesOpensslCommandLine) {
  EXPECT_EQ(SignWebhook("whsec-test-key-0123456789", "1768381200", R"({"event_id":"evt_1"})"),
            "v1=c7b7eada3a36b8c977429a11b52848e84cb6949091ed4ac99459736a421b0155");
}

TEST(WebhookSignatureTest, VerifyAcceptsOnlyTheExactTimestampBodyAndKey) {
  const std::string sig = SignWebhook("k-0123456789abcdef", "100", "{}");
  EXPECT_TRUE(VerifyWebhook("k-0123456789abcdef", "100", "{}", sig));
  EXPECT_FALSE(VerifyWebhook("k-0123456789abcdeX", "100", "{}", sig));
  EXPECT_FALSE(VerifyWebhook("k-0123456789abcdef", "101", "{}", sig));
  EXPECT_FALSE(VerifyWebhook("k-0123456789abcdef", "100", "{ }", sig));
  EXPECT_FALSE(VerifyWebhook("k-0123456789abcdef", "100", "{}", sig.substr(0, 10)));
  EXPECT_FALSE(VerifyWebhook("k-0123456789abcdef", "100", "{}", ""));
}

// The receivers' contract: these five names, in this order, with the
// signature over the attempt's timestamp and the body.
TEST(WebhookSignatureTest, HeadersNameTheEventTheAttemptAndItsSignature) {
  const auto headers =
      WebhookHeaders("k-0123456789abcdef", "evt_1", "100", 2, "LEAD_ASSIGNED", "{}");
  ASSERT_EQ(headers.size(), 5u);
  EXPECT_EQ(headers[0], (std::pair<std::string, std::string>{"X-Leadflow-Event-Id", "evt_1"}));
  EXPECT_EQ(headers[1], (std::pair<std::string, std::string>{"X-Leadflow-Timestamp", "100"}));
  EXPECT_EQ(headers[2].first, "X-Leadflow-Signature");
  EXPECT_TRUE(VerifyWebhook("k-0123456789abcdef", "100", "{}", headers[2].second));
  EXPECT_EQ(headers[3], (std::pair<std::string, std::string>{"X-Leadflow-Attempt", "2"}));
  EXPECT_EQ(headers[4], (std::pair<std::string, std::string>{"X-Leadflow-Kind", "LEAD_ASSIGNED"}));
}

}  // namespace
}  // namespace leadflow::notifier
