// Holiday calendars and out-of-office windows (docs/domain-rules.md,
// "Calendars") over the real routing binary, devkafka and redis-server.
//
// A copy of config/ in which key-accounts enforces working hours, its reps
// work round the clock (UTC, every day: the test does not depend on when it
// runs) and the team's calendar has no holidays, except the first rep's own
// calendar, on which today and tomorrow (UTC) are days off. Then:
//   1. a lead skips the rep on holiday, and the decision path says why;
//   2. SetRepOutOfOffice refuses a caller without a key and an invalid window
//      (naming the field), takes a window for the second rep, and the next
//      lead skips that rep too; VACATION is refused;
//   3. a window for the third rep, starting in 10 minutes, arrives on the
//      topic reps.out-of-office (next to a malformed record, which lands on
//      leads.rejected): the next lead goes to that rep with its 60-minute SLA
//      paused over the window (due in 120 minutes, not 60);
//   4. a queued lead's SLA waits for the end of the holiday, counted in the
//      first rep's calendar;
//   5. Redis loses everything (FLUSHALL): routing rebuilds the windows from
//      the topic, and the second rep is still skipped;
//   6. `leadflow-cli out-of-office --clear` brings the second rep back, and
//      the next lead is theirs.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/kafka/topics.h"
#include "decision_path.h"
#include "leadflow/common/v1/dead_letter.pb.h"
#include "leadflow/routing/v1/routing.grpc.pb.h"
#include "routing_rules_copy.h"
#include "scored_leads.h"
#include "common/testing/child_process.h"
#include "common/testing/dev_kafka.h"
#include "common/testing/kafka_test_client.h"
#include "common/testing/redis_server.h"
#include "common/testing/service_process.h"
#include "common/testing/temp_dir.h"
#include "stack.h"

namespace leadflow::e2e {
namespace {

namespace cv1 = leadflow::common::v1;
namespace rv1 = leadflow::routing::v1;
using std::chrono::seconds;
using std::chrono::system_clock;

constexpr char kKeyAccountsKey[] = "demo-key-key-accounts";
constexpr int64_t kMinuteMs = 60000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             system_clock::now().time_since_epoch())
      .count();
}

int64_t Ms(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000 + t.nanos() / 1000000;
}

// "yyyy-mm-dd" (UTC) `days` from today.
std::string UtcDate(int days) {
  const auto d =
      std::chrono::floor<std::chrono::days>(system_clock::now()) + std::chrono::days(days);
  const std::chrono::year_month_day ymd(d);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

rv1::OutOfOfficeWindow Window(int64_t start_ms, int64_t end_ms) {
  rv1::OutOfOfficeWindow w;
  w.mutable_start()->set_seconds(start_ms / 1000);
  w.mutable_start()->set_nanos(static_cast<int32_t>(start_ms % 1000) * 1000000);
  w.mutable_end()->set_seconds(end_ms / 1000);
  w.mutable_end()->set_nanos(static_cast<int32_t>(end_ms % 1000) * 1000000);
  return w;
}

class CalendarsE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    dir_ = testing::TempDir::Create("leadflow-calendars", &error);
    ASSERT_TRUE(dir_) << error;
    ASSERT_TRUE(CopyConfigWithRoutingRules(
        *dir_,
        [this](leadflow::config::v1::RoutingRules& rules) {
          auto* none = rules.add_holiday_calendars();
          none->set_calendar_id("NONE");
          none->set_covers_from(UtcDate(-1));
          none->set_covers_to(UtcDate(3));
          auto* off = rules.add_holiday_calendars();
          off->set_calendar_id("TODAY-OFF");
          off->set_covers_from(UtcDate(-1));
          off->set_covers_to(UtcDate(3));
          off->add_days_off(UtcDate(0));
          off->add_days_off(UtcDate(1));  // a run across midnight still sees a holiday
          for (auto& team : *rules.mutable_teams()) {
            if (team.team_id() != "key-accounts") continue;
            team.set_enforce_working_hours(true);
            team.set_sla_business_minutes(60);
            team.clear_business_hours();
            team.clear_sla_ladder();
            team.set_holiday_calendar("NONE");
            for (auto& rep : *team.mutable_reps()) {
              rep.mutable_hours()->set_time_zone("UTC");
              rep.mutable_hours()->set_start_hour(0);
              rep.mutable_hours()->set_end_hour(24);
              rep.mutable_hours()->clear_weekdays();
              rep.set_daily_cap(100);  // caps are not what this test is about
              rep.set_max_open_leads(100);
              reps_.push_back(rep.rep_id());
            }
            team.mutable_reps(0)->set_holiday_calendar("TODAY-OFF");
          }
        },
        &error))
        << error;
    ASSERT_EQ(reps_.size(), 3u);
    redis_ = testing::RedisServer::Start({}, &error);
    ASSERT_TRUE(redis_) << error;
    testing::DevKafkaOptions kopts;
    kopts.quiet = true;
    kafka_ = testing::DevKafka::Start(kopts, &error);
    ASSERT_TRUE(kafka_) << error;
    testing::ServiceProcessOptions o;
    o.service = "routing";
    o.kafka_bootstrap = kafka_->bootstrap();
    o.redis_url = redis_->url();
    o.config_dir = dir_->path();
    o.work_dir = dir_->path();
    testing::ServicePorts ports;
    routing_ = testing::StartService(o, &ports, &error);
    ASSERT_TRUE(routing_) << error;
    routing_address_ = "127.0.0.1:" + std::to_string(ports.grpc_port);
    stub_ = rv1::RoutingService::NewStub(
        grpc::CreateChannel(routing_address_, grpc::InsecureChannelCredentials()));
    client_ = std::make_unique<testing::KafkaTestClient>(kafka_->bootstrap());
  }

  // Publishes a lead on leads.scored and returns its record on leads.assigned.
  rv1::LeadAssigned Route(const std::string& lead_id) {
    const auto s = EnterpriseMql(lead_id);
    auto r = client_->ProduceSync(topics::kLeadsScored, s.lead().meta().account_key(),
                                  s.SerializeAsString());
    EXPECT_TRUE(r.ok) << r.error;
    rv1::LeadAssigned got;
    EXPECT_TRUE(WaitFor(
        [&] {
          for (const auto& m : client_->ConsumeAll(topics::kLeadsAssigned, 1, seconds(1))) {
            rv1::LeadAssigned a;
            if (a.ParseFromString(m.value) && a.scored().lead().meta().lead_id() == lead_id) {
              got = a;
              return true;
            }
          }
          return false;
        },
        seconds(30)))
        << lead_id << " never reached leads.assigned\n"
        << Logs();
    return got;
  }

  std::string Logs() const { return routing_->ReadStdout() + routing_->ReadStderr(); }

  grpc::Status SetOutOfOffice(const std::string& rep, std::vector<rv1::OutOfOfficeWindow> windows,
                              rv1::SetRepOutOfOfficeResponse* resp,
                              const std::string& api_key = kKeyAccountsKey) {
    grpc::ClientContext ctx;
    ctx.set_deadline(system_clock::now() + seconds(10));
    if (!api_key.empty()) ctx.AddMetadata("x-api-key", api_key);
    rv1::SetRepOutOfOfficeRequest req;
    req.set_rep_id(rep);
    for (auto& w : windows) *req.add_windows() = w;
    return stub_->SetRepOutOfOffice(&ctx, req, resp);
  }

  std::unique_ptr<testing::TempDir> dir_;
  std::unique_ptr<testing::RedisServer> redis_;
  std::unique_ptr<testing::DevKafka> kafka_;
  std::unique_ptr<testing::ChildProcess> routing_;
  std::string routing_address_;
  std::unique_ptr<rv1::RoutingService::Stub> stub_;
  std::unique_ptr<testing::KafkaTestClient> client_;
  std::vector<std::string> reps_;  // key-accounts, in config order
};

TEST_F(CalendarsE2E, HolidaysAndOutOfOfficeWindowsSkipRepsAndPauseTheSla) {
  const std::string& on_holiday = reps_[0];
  const std::string& away_by_grpc = reps_[1];
  const std::string& away_by_topic = reps_[2];
  const std::string today = UtcDate(0);

  // 1. The rep whose own calendar has today off is skipped.
  auto a1 = Route("cal-1");
  ASSERT_EQ(a1.decision().outcome(), rv1::ASSIGNED) << PathString(a1.decision());
  EXPECT_NE(a1.decision().rep_id(), on_holiday);
  EXPECT_TRUE(PathHas(a1.decision(), "rep." + on_holiday, false, "skipped: holiday ") &&
              PathHas(a1.decision(), "rep." + on_holiday, false, "(calendar TODAY-OFF)"))
      << PathString(a1.decision());
  // Its SLA: 60 minutes of round-the-clock hours on a calendar without holidays.
  EXPECT_NEAR(Ms(a1.sla_due_at()) - Ms(a1.decision().decided_at()), 60 * kMinuteMs, 2000);

  // 2. Out of office over gRPC: closed to unknown callers, fields checked.
  const int64_t now = NowMs();
  rv1::SetRepOutOfOfficeResponse resp;
  EXPECT_EQ(SetOutOfOffice(away_by_grpc, {Window(now, now + 3600000)}, &resp, "").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  auto bad = SetOutOfOffice(away_by_grpc, {Window(now + 3600000, now)}, &resp);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(bad.error_message(), "windows[0].end: must be after start");
  auto ok = SetOutOfOffice(away_by_grpc, {Window(now - kMinuteMs, now + 3600000)}, &resp);
  ASSERT_TRUE(ok.ok()) << ok.error_message();
  ASSERT_EQ(resp.windows_size(), 1);
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("x-api-key", kKeyAccountsKey);
    rv1::SetRepAvailabilityRequest req;
    req.set_rep_id(away_by_grpc);
    req.set_availability(rv1::VACATION);
    rv1::SetRepAvailabilityResponse r;
    EXPECT_EQ(stub_->SetRepAvailability(&ctx, req, &r).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  auto a2 = Route("cal-2");
  EXPECT_EQ(a2.decision().rep_id(), away_by_topic) << PathString(a2.decision());
  EXPECT_TRUE(PathHas(a2.decision(), "rep." + away_by_grpc, false, "skipped: out of office until "))
      << PathString(a2.decision());

  // 3. A window on the topic, from an HR tool: away from +10 to +70 minutes.
  const int64_t t3 = NowMs();
  rv1::RepOutOfOffice change;
  change.set_rep_id(away_by_topic);
  *change.add_windows() = Window(t3 + 10 * kMinuteMs, t3 + 70 * kMinuteMs);
  ASSERT_TRUE(client_->ProduceSync(topics::kRepsOutOfOffice, "junk", "\xff\xfe not a record").ok);
  ASSERT_TRUE(
      client_->ProduceSync(topics::kRepsOutOfOffice, away_by_topic, change.SerializeAsString()).ok);
  ASSERT_TRUE(WaitFor(
      [&] {
        return Logs().find(R"("rep":")" + away_by_topic) != std::string::npos &&
               Logs().find("rep out-of-office set") != std::string::npos;
      },
      seconds(20)))
      << Logs();
  bool dead_lettered = false;
  ASSERT_TRUE(WaitFor(
      [&] {
        for (const auto& m : client_->ConsumeAll(topics::kLeadsRejected, 1, seconds(1))) {
          leadflow::common::v1::LeadRejected r;
          if (r.ParseFromString(m.value) && r.source_topic() == topics::kRepsOutOfOffice &&
              r.reason() == cv1::MALFORMED_PAYLOAD && r.original() == "\xff\xfe not a record") {
            dead_lettered = true;
          }
        }
        return dead_lettered;
      },
      seconds(20)));
  auto a3 = Route("cal-3");
  ASSERT_EQ(a3.decision().rep_id(), away_by_topic) << PathString(a3.decision());
  // 10 minutes before the window, the hour away, the other 50 after it.
  EXPECT_NEAR(Ms(a3.sla_due_at()) - Ms(a3.decision().decided_at()), 120 * kMinuteMs, 2000)
      << "decided " << Ms(a3.decision().decided_at()) << ", window from " << t3 + 10 * kMinuteMs;

  // 4. Everyone away: the lead queues, and its SLA (the first rep's calendar)
  // starts after the two days off.
  const int64_t t4 = NowMs();
  ASSERT_TRUE(SetOutOfOffice(away_by_topic, {Window(t4 - kMinuteMs, t4 + 3600000)}, &resp).ok());
  auto a4 = Route("cal-4");
  ASSERT_EQ(a4.decision().outcome(), rv1::QUEUED) << PathString(a4.decision());
  const int64_t day_after_tomorrow_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          (std::chrono::floor<std::chrono::days>(system_clock::now()) + std::chrono::days(2))
              .time_since_epoch())
          .count();
  if (UtcDate(0) == today) {  // not across midnight
    EXPECT_NEAR(Ms(a4.sla_due_at()), day_after_tomorrow_ms + 60 * kMinuteMs, 2000);
  }

  // 5. Redis loses everything: the windows come back from the topic.
  ASSERT_EQ(redis_->Command({"FLUSHALL"}), std::optional<std::string>("OK"));
  auto a5 = Route("cal-5");
  EXPECT_EQ(a5.decision().outcome(), rv1::QUEUED) << PathString(a5.decision());
  EXPECT_TRUE(PathHas(a5.decision(), "rep." + away_by_grpc, false, "skipped: out of office until "))
      << PathString(a5.decision());
  EXPECT_TRUE(
      PathHas(a5.decision(), "rep." + away_by_topic, false, "skipped: out of office until "))
      << PathString(a5.decision());

  // 6. The CLI brings the second rep back.
  testing::ChildProcessOptions cli;
  cli.binary = testing::BinPath("leadflow-cli");
  cli.args = {"out-of-office", "--routing", routing_address_, "--api-key",
              kKeyAccountsKey, "--rep",     away_by_grpc,     "--clear"};
  std::string error;
  auto p = testing::ChildProcess::Start(cli, &error);
  ASSERT_TRUE(p) << error;
  EXPECT_EQ(p->WaitForExit(seconds(20)), std::optional<int>(0)) << p->ReadStderr();
  EXPECT_EQ(p->ReadStdout(), away_by_grpc + " has no out-of-office window\n");
  auto a6 = Route("cal-6");
  EXPECT_EQ(a6.decision().rep_id(), away_by_grpc) << PathString(a6.decision());
}

}  // namespace
}  // namespace leadflow::e2e
