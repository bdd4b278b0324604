#include "common/metrics/registry.h"

#include <mutex>
#include <sstream>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace leadflow::metrics {

void Counter::Inc(double v) { c_->Increment(v); }
double Counter::Value() const { return c_->Value(); }
void Gauge::Set(double v) { g_->Set(v); }
void Gauge::Inc(double v) { g_->Increment(v); }
void Gauge::Dec(double v) { g_->Decrement(v); }
double Gauge::Value() const { return g_->Value(); }
void Histogram::Observe(double v) { h_->Observe(v); }

std::vector<double> LatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

struct Registry::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  std::mutex mu;
  std::map<std::string, prometheus::Family<prometheus::Counter>*> counters;
  std::map<std::string, prometheus::Family<prometheus::Gauge>*> gauges;
  std::map<std::string, prometheus::Family<prometheus::Histogram>*> histograms;
};

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;

Counter Registry::GetCounter(const std::string& name, const std::string& help,
                             const Labels& labels) {
  std::lock_guard lock(impl_->mu);
  auto& fam = impl_->counters[name];
  if (!fam) fam = &prometheus::BuildCounter().Name(name).Help(help).Register(*impl_->registry);
  return Counter(&fam->Add(labels));
}

Gauge Registry::GetGauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(impl_->mu);
  auto& fam = impl_->gauges[name];
  if (!fam) fam = &prometheus::BuildGauge().Name(name).Help(help).Register(*impl_->registry);
  return Gauge(&fam->Add(labels));
}

void Registry::RemoveGauge(const std::string& name, const Labels& labels) {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->gauges.find(name);
  if (it == impl_->gauges.end() || it->second == nullptr || !it->second->Has(labels)) return;
  it->second->Remove(&it->second->Add(labels));
}

Histogram Registry::GetHistogram(const std::string& name, const std::string& help,
                                 const Labels& labels, const std::vector<double>& buckets) {
  std::lock_guard lock(impl_->mu);
  auto& fam = impl_->histograms[name];
  if (!fam) fam = &prometheus::BuildHistogram().Name(name).Help(help).Register(*impl_->registry);
  return Histogram(&fam->Add(labels, prometheus::Histogram::BucketBoundaries(buckets)));
}

std::string Registry::Serialize() const {
  prometheus::TextSerializer serializer;
  std::ostringstream out;
  serializer.Serialize(out, impl_->registry->Collect());
  return out.str();
}

}  // namespace leadflow::metrics
