#include "common/metrics/registry.h"

#include <gtest/gtest.h>

#include "common/metrics/service_metrics.h"

namespace leadflow::metrics {
namespace {

TEST(RegistryTest, SameNameAndLabelsIsTheSameCounter) {
  Registry r;
  r.GetCounter("leadflow_test_things_total", "help", {{"topic", "a"}}).Inc();
  r.GetCounter("leadflow_test_things_total", "help", {{"topic", "a"}}).Inc(2);
  EXPECT_EQ(r.GetCounter("leadflow_test_things_total", "help", {{"topic", "a"}}).Value(), 3);
  EXPECT_EQ(r.GetCounter("leadflow_test_things_total", "help", {{"topic", "b"}}).Value(), 0);
}

TEST(RegistryTest, SerializesInPrometheusTextFormat) {
  Registry r;
  ServiceMetrics m(r, "intake");
  m.Consumed("leads.submitted");
  m.ProcessingSeconds("leads.submitted", 0.002);
  std::string text = r.Serialize();
  EXPECT_NE(text.find("leadflow_intake_messages_consumed_total{topic=\"leads.submitted\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("leadflow_intake_processing_seconds_bucket"), std::string::npos);
  EXPECT_NE(text.find("leadflow_intake_build_info"), std::string::npos);
}

TEST(RegistryTest, RemovedGaugeSeriesLeavesTheExposition) {
  Registry r;
  r.GetGauge("leadflow_test_cohort_leads", "help", {{"cohort", "2025-05"}}).Set(7);
  r.GetGauge("leadflow_test_cohort_leads", "help", {{"cohort", "2025-06"}}).Set(9);
  r.RemoveGauge("leadflow_test_cohort_leads", {{"cohort", "2025-05"}});
  r.RemoveGauge("leadflow_test_cohort_leads", {{"cohort", "1999-01"}});  // none: no-op
  r.RemoveGauge("leadflow_test_no_such_family", {{"cohort", "2025-05"}});
  const std::string text = r.Serialize();
  EXPECT_EQ(text.find("cohort=\"2025-05\""), std::string::npos) << text;
  EXPECT_NE(text.find("leadflow_test_cohort_leads{cohort=\"2025-06\"} 9"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace leadflow::metrics
