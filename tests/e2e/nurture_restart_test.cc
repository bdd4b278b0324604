// Nurture killed with SIGKILL mid-run and restarted: every due touch is still
// sent exactly once. The kill lands while touches are being produced, so some
// are claimed and in flight; the restarted process resolves them against
// nurture.touches itself (sent ones are finished, the rest sent), and the
// schedule in Redis carries the remaining steps.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include "common/kafka/topics.h"
#include "leadflow/nurture/v1/nurture.pb.h"
#include "leadflow/routing/v1/routing.pb.h"
#include "nurture_e2e_util.h"
#include "common/testing/kafka_test_client.h"
#include "stack.h"

namespace leadflow::e2e {
namespace {

namespace nv1 = leadflow::nurture::v1;
namespace rv1 = leadflow::routing::v1;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kLeads = 800;

TEST(NurtureRestartE2E, SigkillMidRunStillSendsEveryDueTouchExactlyOnce) {
  std::string error;
  auto dir = testing::TempDir::Create("leadflow-restart-config", &error);
  ASSERT_TRUE(dir) << error;
  NurtureTiming timing;
  timing.step_delay_hours = 1;
  const auto cfg = WriteTestConfig(*dir, timing, &error);
  ASSERT_TRUE(error.empty()) << error;
  std::map<std::string, int> track_steps;
  for (const auto& t : cfg.tracks()) track_steps[t.track_id()] = t.steps_size();

  StackOptions opts;
  opts.config_dir = dir->path();
  opts.env["nurture"] = {{"LEADFLOW_NURTURE_TIME_SCALE", "3600"}};
  auto stack = Stack::Start(opts, &error);
  ASSERT_TRUE(stack) << error;
  testing::KafkaTestClient kafka(stack->bootstrap());

  const char* titles[] = {"генеральный директор", "ИТ-директор", "менеджер", "инженер"};
  const char* intents[] = {"download_whitepaper", "case_study", "webinar_registration"};
  for (int i = 0; i < kLeads; ++i) {
    const std::string domain = "firm" + std::to_string(i % 97) + ".ru";
    const std::string email = "r" + std::to_string(i) + "@" + domain;
    ASSERT_TRUE(kafka.ProduceSync(topics::kLeadsSubmitted, email,
                                  LeadJson(email, domain, titles[i % 4], intents[i % 3]),
                                  {{topics::kContentTypeHeader, "application/json"}})
                    .ok);
  }

  // Kill nurture while its touches are flowing.
  int64_t at_kill = 0;
  const auto deadline = std::chrono::steady_clock::now() + seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    at_kill = kafka.CountMessages(topics::kNurtureTouches, seconds(10));
    if (at_kill >= kLeads / 2) break;
    std::this_thread::sleep_for(milliseconds(50));
  }
  ASSERT_GE(at_kill, kLeads / 2) << stack->Logs("nurture");
  EXPECT_EQ(stack->Kill("nurture"), 137);
  const std::string in_flight =
      stack->redis().Command({"HLEN", "lf:{nurture}:inflight"}).value_or("?");
  const int64_t after_kill = kafka.CountMessages(topics::kNurtureTouches, seconds(10));
  std::this_thread::sleep_for(milliseconds(300));
  ASSERT_TRUE(stack->Restart("nurture", &error)) << error;

  // Wait until every lead routed to nurture has completed its track.
  std::vector<testing::KafkaMessage> requests;
  std::map<std::string, std::map<int, int>> steps_sent;  // enrolment -> step -> count
  std::map<std::string, std::string> track_of;            // enrolment -> track
  std::set<std::string> leads_touched;
  int64_t total = 0;
  auto complete = [&] {
    const int64_t n_req = kafka.CountMessages(topics::kLeadsNurture, seconds(10));
    requests = kafka.ConsumeAll(topics::kLeadsNurture, static_cast<size_t>(std::max<int64_t>(n_req, 0)),
                                seconds(10));
    total = kafka.CountMessages(topics::kNurtureTouches, seconds(10));
    const auto msgs = kafka.ConsumeAll(topics::kNurtureTouches, static_cast<size_t>(std::max<int64_t>(total, 0)),
                                       seconds(10));
    steps_sent.clear();
    leads_touched.clear();
    for (const auto& m : msgs) {
      nv1::Touch t;
      if (!t.ParseFromString(m.value)) continue;
      const auto colon = t.touch_id().rfind(':');
      steps_sent[t.touch_id().substr(0, colon)][t.step()]++;
      track_of[t.touch_id().substr(0, colon)] = t.track_id();
      leads_touched.insert(t.lead_id());
    }
    std::set<std::string> leads;
    for (const auto& m : requests) {
      rv1::NurtureRequested r;
      if (r.ParseFromString(m.value)) leads.insert(r.scored().lead().meta().lead_id());
    }
    if (leads.empty() || leads_touched.size() < leads.size()) return false;
    for (const auto& [enrolment, steps] : steps_sent) {
      if (static_cast<int>(steps.size()) < track_steps[track_of[enrolment]]) return false;
    }
    return stack->redis().Command({"ZCARD", "lf:{nurture}:due"}).value_or("") == "0" &&
           stack->redis().Command({"HLEN", "lf:{nurture}:inflight"}).value_or("") == "0";
  };
  bool done = false;
  const auto finish_by = std::chrono::steady_clock::now() + seconds(60);
  while (!(done = complete()) && std::chrono::steady_clock::now() < finish_by) {
    std::this_thread::sleep_for(milliseconds(500));
  }
  ASSERT_TRUE(done) << "tracks did not complete after the restart\n" << stack->Logs("nurture");
  std::this_thread::sleep_for(milliseconds(1000));  // nothing more may arrive
  ASSERT_TRUE(complete());

  int duplicates = 0, missing = 0;
  for (const auto& [enrolment, steps] : steps_sent) {
    const std::string& track = track_of[enrolment];
    ASSERT_TRUE(track_steps.count(track)) << enrolment;
    for (int i = 0; i < track_steps[track]; ++i) {
      auto it = steps.find(i);
      if (it == steps.end()) {
        ++missing;
      } else if (it->second != 1) {
        ++duplicates;
      }
    }
  }
  EXPECT_EQ(duplicates, 0) << "touches sent twice";
  EXPECT_EQ(missing, 0) << "due touches never sent";
  EXPECT_LT(at_kill, total) << "the kill must land mid-run";
  EXPECT_GE(requests.size(), static_cast<size_t>(kLeads * 9 / 10));
  const std::string metrics = HttpGet(stack->ports("nurture").admin, "/metrics");
  EXPECT_NE(metrics.find("leadflow_audience_violations_total 0"), std::string::npos);
  std::printf("restart: %zu enrolments, %lld touches, %lld before the kill (%lld just after), "
              "%s in flight at the kill\n",
              steps_sent.size(), static_cast<long long>(total), static_cast<long long>(at_kill),
              static_cast<long long>(after_kill), in_flight.c_str());
  EXPECT_EQ(stack->Terminate("nurture"), 0) << stack->Logs("nurture");
}

}  // namespace
}  // namespace leadflow::e2e
