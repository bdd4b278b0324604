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

}  // namespace
}  // namespace leadflow::metrics
