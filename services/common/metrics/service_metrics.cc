#include "common/metrics/service_metrics.h"

#include <chrono>

#include "leadflow_version.h"

namespace leadflow::metrics {

ServiceMetrics::ServiceMetrics(Registry& registry, std::string service)
    : registry_(registry), service_(std::move(service)) {
  registry_
      .GetGauge(Name("build_info"), "Build information; the value is always 1.",
                {{"version", LEADFLOW_VERSION}, {"service", service_}})
      .Set(1);
  // Restarts show as changes of this value (the Platform dashboard's restart panel).
  registry_
      .GetGauge(Name("process_start_time_seconds"),
                "When this process started, in seconds since the Unix epoch.")
      .Set(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
               .count());
}

void ServiceMetrics::Consumed(const std::string& topic) {
  registry_.GetCounter(Name("messages_consumed_total"), "Messages consumed, by topic.",
                       {{"topic", topic}})
      .Inc();
}

void ServiceMetrics::Produced(const std::string& topic) {
  registry_.GetCounter(Name("messages_produced_total"), "Messages produced, by topic.",
                       {{"topic", topic}})
      .Inc();
}

void ServiceMetrics::ProcessingSeconds(const std::string& topic, double seconds) {
  registry_
      .GetHistogram(Name("processing_seconds"), "Time to handle one consumed message.",
                    {{"topic", topic}}, LatencyBuckets())
      .Observe(seconds);
}

void ServiceMetrics::Error(const std::string& reason) {
  registry_.GetCounter(Name("errors_total"), "Errors, by reason.", {{"reason", reason}}).Inc();
}

void ServiceMetrics::DeadLettered(const std::string& reason) {
  registry_
      .GetCounter(Name("dead_lettered_total"), "Messages sent to leads.rejected, by reason.",
                  {{"reason", reason}})
      .Inc();
}

void ServiceMetrics::ConsumerLag(const std::string& topic, int partition, double lag) {
  registry_
      .GetGauge(Name("consumer_lag_messages"), "Consumer lag per partition (librdkafka stats).",
                {{"topic", topic}, {"partition", std::to_string(partition)}})
      .Set(lag);
}

}  // namespace leadflow::metrics
