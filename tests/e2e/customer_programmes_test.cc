// Proactive customer programmes over the real binaries (issue 18, point 5;
// docs/domain-rules.md §1, §7): the CUSTOMER accounts of accounts.changes are
// enrolled in the satisfaction audit on the programme's schedule without any
// form, a prospect account never is, each touch is told to the account
// owner, and a customer's meeting or questionnaire answer reaches the owner
// on accounts.notifications while a prospect's reply does not. The cycles
// survive a SIGKILL restart and a FLUSHALL: no touch of a cycle is sent
// twice. The shipped config/nurture.json with a one-day period (window one
// day, so every account is due at once) and nurture's clock at 3600x; the
// base of three accounts is below the shipped 100, so the audit is the
// small-base track of personal meetings.
// Also (issue 18, point 6): content outsourcing reaches a customer only when
// the customer's own form asked for it.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "common/kafka/topics.h"
#include "leadflow/accounts/v1/accounts.pb.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "leadflow/nurture/v1/nurture.pb.h"
#include "nurture_e2e_util.h"
#include "common/testing/kafka_test_client.h"
#include "stack.h"

namespace leadflow {
namespace {

using e2e::Stack;
using e2e::WaitFor;
using std::chrono::seconds;
namespace cv1 = leadflow::common::v1;
namespace nv1 = leadflow::nurture::v1;
namespace ev1 = leadflow::engagement::v1;

constexpr char kAudit[] = "satisfaction-audit";
constexpr char kMeetingsTrack[] = "customer-satisfaction-meetings";
const std::map<std::string, std::string> kCustomers = {
    {"7702070139", "ka-vorontsov"}, {"7728168971", "ent-morozov"}, {"7740000076", "ka-belova"}};
constexpr char kProspect[] = "7707083893";

class CustomerProgrammesE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    dir_ = testing::TempDir::Create("leadflow-programmes-config", &error);
    ASSERT_NE(dir_, nullptr) << error;
    auto cfg = e2e::WriteTestConfig(*dir_, e2e::NurtureTiming{}, &error);
    ASSERT_TRUE(error.empty()) << error;
    ASSERT_EQ(cfg.programmes_size(), 2);  // the shipped audit and personal updates
    for (auto& p : *cfg.mutable_programmes()) {
      p.set_period_days(1);
      p.set_enrol_window_days(1);
    }
    cfg.set_programme_scan_seconds(60);  // 1/60 s of real time at 3600x
    std::string json;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(cfg, &json).ok());
    std::ofstream(dir_->File("nurture.json")) << json;
    e2e::StackOptions opts;
    opts.config_dir = dir_->path();
    opts.env["nurture"] = {{"LEADFLOW_NURTURE_TIME_SCALE", "3600"}};
    stack_ = Stack::Start(opts, &error);
    ASSERT_NE(stack_, nullptr) << error;
    kafka_ = std::make_unique<testing::KafkaTestClient>(stack_->bootstrap());
    for (const auto& [key, owner] : kCustomers) {
      leadflow::accounts::v1::AccountState a;
      a.set_account_key(key);
      a.set_relationship(cv1::CUSTOMER);
      a.add_domains(key + ".example");
      a.set_inn(key);
      a.set_owner_rep_id(owner);
      ASSERT_TRUE(kafka_->ProduceSync(topics::kAccountsChanges, key, a.SerializeAsString()).ok);
    }
    leadflow::accounts::v1::AccountState p;
    p.set_account_key(kProspect);
    p.set_relationship(cv1::PROSPECT);
    p.add_domains("sberbank.ru");
    p.set_inn(kProspect);
    p.set_named_account(true);
    p.set_named_owner_rep_id("ka-vorontsov");
    ASSERT_TRUE(kafka_->ProduceSync(topics::kAccountsChanges, kProspect, p.SerializeAsString()).ok);
  }

  std::vector<nv1::Touch> Touches() {
    std::vector<nv1::Touch> out;
    for (const auto& m : kafka_->ConsumeAll(topics::kNurtureTouches, 100000, seconds(2))) {
      nv1::Touch t;
      if (t.ParseFromString(m.value)) out.push_back(t);
    }
    return out;
  }
  std::vector<nv1::AccountNotification> Notifications() {
    std::vector<nv1::AccountNotification> out;
    for (const auto& m : kafka_->ConsumeAll(topics::kAccountsNotifications, 100000, seconds(2))) {
      nv1::AccountNotification n;
      if (n.ParseFromString(m.value)) out.push_back(n);
    }
    return out;
  }
  // The audit touches of each customer account.
  std::map<std::string, std::vector<nv1::Touch>> AuditTouches() {
    std::map<std::string, std::vector<nv1::Touch>> by_account;
    for (const auto& t : Touches()) {
      if (t.programme_id() == kAudit) by_account[t.account_key()].push_back(t);
    }
    return by_account;
  }
  void Engage(const std::string& id, ev1::EngagementType type, const std::string& account,
              const std::string& content) {
    ev1::EngagementEvent ev;
    ev.set_event_id(id);
    ev.set_contact_id("c-00000000000000aa");
    ev.set_account_key(account);
    ev.set_type(type);
    ev.set_content_id(content);
    ev.mutable_occurred_at()->set_seconds(e2e::RealNowMs() / 1000);
    ASSERT_TRUE(
        kafka_->ProduceSync(topics::kEngagementEvents, ev.contact_id(), ev.SerializeAsString()).ok);
  }
  // Touch ids sent more than once.
  std::vector<std::string> Duplicates() {
    std::map<std::string, int> seen;
    std::vector<std::string> dup;
    for (const auto& t : Touches()) {
      if (++seen[t.touch_id()] == 2) dup.push_back(t.touch_id());
    }
    return dup;
  }

  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<Stack> stack_;
  std::unique_ptr<testing::KafkaTestClient> kafka_;
};

TEST_F(CustomerProgrammesE2e, CustomersGetTheAuditAProspectNeverAndAnswersReachTheOwner) {
  // 1. Every customer account is enrolled in the audit (small base: meetings)
  // without a form, and its first touch goes out.
  ASSERT_TRUE(WaitFor([&] { return AuditTouches().size() == kCustomers.size(); }, seconds(60)))
      << stack_->Logs("nurture");
  for (const auto& [account, touches] : AuditTouches()) {
    ASSERT_TRUE(kCustomers.count(account)) << "audit touch for " << account;
    const nv1::Touch& first = touches.front();
    EXPECT_EQ(first.track_id(), kMeetingsTrack);
    EXPECT_EQ(first.channel(), cv1::PERSONAL_MEETING);
    EXPECT_EQ(first.audience(), cv1::CUSTOMER);
    EXPECT_EQ(first.contact_id(), "a-" + account);  // the account, not a person
  }
  // 2. The owner hears of each audit touch.
  ASSERT_TRUE(WaitFor(
      [&] {
        std::set<std::string> told;
        for (const auto& n : Notifications()) {
          if (n.kind() == nv1::TOUCH_SENT && n.programme_id() == kAudit &&
              kCustomers.count(n.account_key()) &&
              n.owner_rep_id() == kCustomers.at(n.account_key())) {
            told.insert(n.account_key());
          }
        }
        return told.size() == kCustomers.size();
      },
      seconds(20)));

  // 3. What comes back reaches the owner: a booked meeting, a questionnaire
  // answer; a prospect's reply does not.
  Engage("ev-meeting-1", ev1::MEETING_BOOKED, "7702070139", "c-satisfaction-meeting");
  Engage("ev-answer-1", ev1::REPLIED, "7728168971", "c-satisfaction-survey");
  Engage("ev-prospect-1", ev1::REPLIED, kProspect, "p-analytics-it-budgets-2026");
  std::map<std::string, nv1::AccountNotification> responses;
  ASSERT_TRUE(WaitFor(
      [&] {
        responses.clear();
        for (const auto& n : Notifications()) {
          if (n.kind() == nv1::CUSTOMER_RESPONDED) responses[n.response().event_id()] = n;
        }
        return responses.count("ev-meeting-1") && responses.count("ev-answer-1");
      },
      seconds(30)))
      << stack_->Logs("nurture");
  EXPECT_EQ(responses["ev-meeting-1"].owner_rep_id(), "ka-vorontsov");
  EXPECT_EQ(responses["ev-meeting-1"].response().kind(), nv1::MEETING);
  EXPECT_EQ(responses["ev-answer-1"].owner_rep_id(), "ent-morozov");
  EXPECT_EQ(responses["ev-answer-1"].response().kind(), nv1::QUESTIONNAIRE_ANSWER);
  EXPECT_EQ(responses["ev-answer-1"].response().content_id(), "c-satisfaction-survey");

  // 4. The schedule survives a SIGKILL and a Redis loss: no touch of a cycle
  // is sent twice (the cycles are restored from nurture.touches).
  EXPECT_EQ(stack_->Kill("nurture"), 137);
  std::string error;
  ASSERT_TRUE(stack_->Restart("nurture", &error)) << error;
  std::this_thread::sleep_for(seconds(3));
  ASSERT_TRUE(stack_->redis().Command({"FLUSHALL"}).has_value());
  std::this_thread::sleep_for(seconds(8));  // view rebuild, restore, scans (< a schedule day)
  EXPECT_TRUE(Duplicates().empty()) << "re-sent: " << Duplicates().front();

  // The prospect never got a programme touch, or any notification.
  for (const auto& t : Touches()) {
    EXPECT_NE(t.account_key(), kProspect) << t.touch_id();
    if (!t.programme_id().empty()) {
      EXPECT_EQ(t.audience(), cv1::CUSTOMER) << t.touch_id();
    }
  }
  for (const auto& n : Notifications()) EXPECT_NE(n.account_key(), kProspect);
  EXPECT_EQ(e2e::MetricValue(stack_->ports("nurture").admin, "leadflow_audience_violations_total"),
            0);
}

// Issue 18.6: content outsourcing is opt-in for customers (the sources'
// customer who asked four times to stop). A customer CFO's proposal request
// gets the upsell track, which no longer pushes it (on the old
// config/nurture.json its third step was c-content-outsourcing); a customer
// who asks for it (form intent content_outsourcing) gets the offer.
TEST_F(CustomerProgrammesE2e, ContentOutsourcingReachesOnlyTheCustomerWhoAskedForIt) {
  ASSERT_TRUE(WaitFor(
      [&] {
        return stack_->redis().Command({"SCARD", "lf:{intake}:accts"}).value_or("") ==
               std::to_string(kCustomers.size() + 1);
      },
      seconds(30)))
      << "intake's registry view never held the accounts";
  auto submit = [&](const std::string& email, const std::string& inn, const std::string& title,
                    const std::string& intent) {
    const std::string j = R"({"source_id":"web-form-main","email":")" + email +
                          R"(","company_name":"Клиент )" + inn + R"(","inn":")" + inn +
                          R"(","job_title":")" + title +
                          R"(","industry":"banking","headcount":5000,"region":"RU-MOW",)" +
                          R"("annual_revenue_rub":"90000000000","intent":")" + intent +
                          R"(","consent":true,"answers":{"budget":"over_50m","need":"urgent",)" +
                          R"("timeline":"1_3m"}})";
    ASSERT_TRUE(kafka_
                    ->ProduceSync(topics::kLeadsSubmitted, email, j,
                                  {{topics::kContentTypeHeader, "application/json"}})
                    .ok);
  };
  const std::string unasked = "7702070139", asked = "7728168971";
  submit("cfo@" + unasked + ".example", unasked, "Финансовый директор", "request_proposal");
  submit("pr@" + asked + ".example", asked, "менеджер", "content_outsourcing");
  // The touches of each form lead (programme touches aside), by account.
  std::map<std::string, std::vector<nv1::Touch>> by_account;
  ASSERT_TRUE(WaitFor(
      [&] {
        by_account.clear();
        for (const auto& t : Touches()) {
          if (t.programme_id().empty()) by_account[t.account_key()].push_back(t);
        }
        return by_account[unasked].size() >= 3 && !by_account[asked].empty();
      },
      seconds(90)))
      << stack_->Logs("nurture");
  for (const auto& t : by_account[unasked]) {
    EXPECT_EQ(t.track_id(), "customer-upsell") << t.touch_id();
    EXPECT_EQ(t.audience(), cv1::CUSTOMER);
    EXPECT_NE(t.topic(), "content_outsourcing") << t.touch_id() << " pushed " << t.content_id();
  }
  const nv1::Touch& offer = by_account[asked].front();
  EXPECT_EQ(offer.track_id(), "customer-content-outsourcing-on-request");
  EXPECT_EQ(offer.content_id(), "c-content-outsourcing");
  EXPECT_EQ(offer.topic(), "content_outsourcing");
  EXPECT_EQ(offer.audience(), cv1::CUSTOMER);
}

}  // namespace
}  // namespace leadflow
