// Helpers shared by the nurture e2e tests: a config directory with the
// shipped rules except nurture's timing (short step delays, no quiet hours,
// roomy caps - the shipped domain defaults stay untouched in config/), the
// mapping from real time to nurture's scaled schedule time, and lead JSON.
#pragma once

#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "common/config/proto_loader.h"
#include "leadflow/config/v1/nurture_config.pb.h"
#include "common/testing/paths.h"
#include "common/testing/temp_dir.h"
#include "stack.h"

namespace leadflow::e2e {

inline int64_t RealNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct NurtureTiming {
  int step_delay_hours = 2;  // every step after the first
  int per_day = 10;
  int per_week = 40;
};

// Copies config/ into `dir` and rewrites nurture.json's timing only. Returns
// the loaded test NurtureConfig (for track lengths), or sets `error`.
inline leadflow::config::v1::NurtureConfig WriteTestConfig(const testing::TempDir& dir,
                                                           const NurtureTiming& timing,
                                                           std::string* error) {
  namespace fs = std::filesystem;
  for (const auto& entry : fs::directory_iterator(testing::SourcePath("config"))) {
    if (entry.is_regular_file()) {
      fs::copy_file(entry.path(), fs::path(dir.path()) / entry.path().filename(),
                    fs::copy_options::overwrite_existing);
    }
  }
  leadflow::config::v1::NurtureConfig cfg;
  Status s = config::LoadProtoFile(testing::SourcePath("config/nurture.json"), &cfg);
  if (!s.ok()) {
    *error = s.message();
    return cfg;
  }
  for (auto& track : *cfg.mutable_tracks()) {
    for (int i = 1; i < track.steps_size(); ++i) {
      track.mutable_steps(i)->set_delay_hours(timing.step_delay_hours);
    }
  }
  cfg.mutable_caps()->set_per_day(timing.per_day);
  cfg.mutable_caps()->set_per_week(timing.per_week);
  cfg.mutable_quiet_hours()->set_start_hour(0);  // start == end: no quiet hours
  cfg.mutable_quiet_hours()->set_end_hour(0);
  std::string json;
  google::protobuf::util::JsonPrintOptions o;
  (void)google::protobuf::util::MessageToJsonString(cfg, &json, o);
  std::ofstream(dir.File("nurture.json")) << json;
  return cfg;
}

// Nurture's schedule time for a real instant (see nurture/app/scaled_clock.h).
struct ScheduleTime {
  int64_t origin_ms = 0;
  int64_t start_ms = 0;
  double scale = 1;
  int64_t At(int64_t real_ms) const {
    return start_ms + static_cast<int64_t>(static_cast<double>(real_ms - origin_ms) * scale);
  }
  static ScheduleTime Of(const Stack& stack) {
    const auto& env = stack.env("nurture");
    ScheduleTime t;
    t.origin_ms = std::stoll(env.at("LEADFLOW_NURTURE_TIME_ORIGIN_MS"));
    t.start_ms = std::stoll(env.at("LEADFLOW_NURTURE_TIME_START_MS"));
    auto it = env.find("LEADFLOW_NURTURE_TIME_SCALE");
    t.scale = it == env.end() ? 1.0 : std::stod(it->second);
    return t;
  }
};

inline int64_t Millis(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000 + ts.nanos() / 1000000;
}

// A low-intent lead as a leads.submitted JSON event: stays with nurture.
inline std::string LeadJson(const std::string& email, const std::string& company,
                            const std::string& title, const std::string& intent) {
  return R"({"source_id":"web-form-main","email":")" + email + R"(","company_name":")" + company +
         R"(","job_title":")" + title +
         R"(","industry":"it_services","headcount":40,"annual_revenue_rub":"300000000",)"
         R"("region":"RU-SPE","intent":")" +
         intent +
         R"(","consent":true,"answers":{"budget":"none","need":"just_studying",)"
         R"("timeline":"over_12m"}})";
}

}  // namespace leadflow::e2e
