// Personal data never reaches logs or metrics: a demo-like run (customers,
// prospects, invalid and screened-out leads, poison records, a service
// restart) with emails and phone numbers in every lead, then every service's
// complete log output and /metrics are scanned for any email address or
// phone number, and for each submitted one literally.
#include <gtest/gtest.h>

#include <cstdio>
#include <regex>
#include <thread>

#include "common/kafka/topics.h"
#include "tests/faults/fault_harness.h"

namespace leadflow::faults {
namespace {

using std::chrono::seconds;

std::string PhoneOf(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "+7495%07d", 1000000 + i);
  return buf;
}

TEST(FaultPii, NoEmailOrPhoneInLogsOrMetricsOfADemoRun) {
  std::string error;
  auto stack = e2e::Stack::Start(&error);
  ASSERT_TRUE(stack) << error;
  testing::KafkaTestClient kafka(stack->bootstrap());
  ASSERT_TRUE(PublishRegistry(*stack, kafka)) << stack->Logs("intake");

  auto plan = MakeLeads(200, "pii");
  std::vector<std::string> phones;
  for (size_t i = 0; i < plan.size(); ++i) {
    phones.push_back(PhoneOf(static_cast<int>(i)));
    const std::string field = R"("email":")";
    plan[i].json.replace(plan[i].json.find(field), 0, R"("phone":")" + phones.back() + R"(",)");
  }
  // Invalid phone numbers and undecodable records are logged as errors too.
  ASSERT_TRUE(kafka
                  .ProduceSync(topics::kLeadsSubmitted, "bad-phone",
                               R"({"source_id":"web-form-main","email":"leak.check@pii-test.ru",)"
                               R"("phone":"+7 (916) 555-12-34 ext","consent":true})")
                  .ok);
  ASSERT_TRUE(kafka.ProduceSync(topics::kLeadsSubmitted, "broken",
                                R"({"email":"broken.json@pii-test.ru","phone":"+79165551234")")
                  .ok);
  {
    LeadProducer producer(stack->bootstrap(), plan, 100);
    std::this_thread::sleep_for(seconds(1));
    ASSERT_EQ(stack->Kill("routing"), 137);
    ASSERT_TRUE(stack->Restart("routing", &error)) << error;
    ASSERT_TRUE(producer.Wait(seconds(60)));
  }
  const Tally t = WaitForAll(kafka, plan, seconds(90));
  std::printf("%s\n", t.Summary("pii").c_str());
  ASSERT_EQ(t.lost, 0) << t.examples;

  const std::regex email(R"([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})");
  // E.164 (+ and 10-15 digits), a Russian number without the + (7/8 and 10
  // digits as a whole word), or a formatted one: +7 (495) 123-45-67.
  const std::regex phone(
      R"((\+\d{10,15})|(\b[78]\d{10}\b)|(\+?\d{1,3}[ (-]+\d{3}[ )-]+\d{3}[ -]?\d{2}[ -]?\d{2}))");
  size_t scanned = 0;
  for (const auto& s : e2e::Stack::ServiceNames()) {
    const std::string logs = stack->FullLogs(s);
    const std::string metrics = e2e::HttpGet(stack->ports(s).admin, "/metrics");
    ASSERT_FALSE(metrics.empty()) << s;
    for (const auto& [what, text] : {std::pair{"log", logs}, std::pair{"metrics", metrics}}) {
      scanned += text.size();
      std::smatch m;
      EXPECT_FALSE(std::regex_search(text, m, email))
          << s << " " << what << " contains an email address: " << m.str();
      EXPECT_FALSE(std::regex_search(text, m, phone))
          << s << " " << what << " contains a phone-like number: " << m.str() << " in: "
          << text.substr(m.position() > 200 ? m.position() - 200 : 0, 300);
      for (size_t i = 0; i < plan.size(); ++i) {
        ASSERT_EQ(text.find(plan[i].email), std::string::npos) << s << " " << what;
        ASSERT_EQ(text.find(phones[i].substr(1)), std::string::npos) << s << " " << what;
      }
    }
  }
  std::printf("[pii] scanned %zu bytes of logs and metrics from 4 services: no email, no phone\n",
              scanned);
  EXPECT_GT(scanned, 10000u);
}

}  // namespace
}  // namespace leadflow::faults
