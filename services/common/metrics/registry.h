// Prometheus metrics behind a small facade, so that only this library includes
// prometheus-cpp. Metric handles are cheap to copy, never null once obtained,
// and safe to use from any thread; they live as long as their registry.
//
// Naming (docs/metrics.md): leadflow_<service>_<what>_<unit>. Label values must come
// from a bounded set: never a lead id, email or other PII.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
class Registry;
}  // namespace prometheus

namespace leadflow::metrics {

using Labels = std::map<std::string, std::string>;

class Counter {
 public:
  explicit Counter(prometheus::Counter* c) : c_(c) {}
  void Inc(double v = 1.0);
  double Value() const;

 private:
  prometheus::Counter* c_;
};

class Gauge {
 public:
  explicit Gauge(prometheus::Gauge* g) : g_(g) {}
  void Set(double v);
  void Inc(double v = 1.0);
  void Dec(double v = 1.0);
  double Value() const;

 private:
  prometheus::Gauge* g_;
};

class Histogram {
 public:
  explicit Histogram(prometheus::Histogram* h) : h_(h) {}
  void Observe(double v);

 private:
  prometheus::Histogram* h_;
};

// Latency buckets in seconds, 0.5 ms .. 10 s.
std::vector<double> LatencyBuckets();

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // The same (name, labels) always returns the same metric. `help` is used
  // the first time a family is created.
  Counter GetCounter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge GetGauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram GetHistogram(const std::string& name, const std::string& help, const Labels& labels,
                         const std::vector<double>& buckets);
  // Drops one series of a gauge family (a label value that no longer applies,
  // e.g. a cohort month that left its window); a no-op when there is none.
  // Handles to it must not be used afterwards.
  void RemoveGauge(const std::string& name, const Labels& labels);

  // Prometheus text exposition format of every metric.
  std::string Serialize() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadflow::metrics
