#include "cli_producer.h"

#include <chrono>
#include <cstdio>

namespace leadflow::cli {

std::unique_ptr<kafka::Producer> MakeProducer(const std::string& brokers) {
  kafka::ProducerOptions o;
  o.brokers = brokers;
  o.client_id = "leadflow-cli";
  auto p = kafka::MakeKafkaProducer(o, nullptr);
  if (!p.ok()) {
    std::fprintf(stderr, "leadflow-cli: %s\n", p.status().message().c_str());
    return nullptr;
  }
  return std::move(*p);
}

int FlushOrFail(kafka::Producer& p, int count, const char* what) {
  if (auto s = p.Flush(std::chrono::seconds(30)); !s.ok()) {
    std::fprintf(stderr, "leadflow-cli: %s\n", s.message().c_str());
    return 1;
  }
  std::printf("published %d %s\n", count, what);
  return 0;
}

}  // namespace leadflow::cli
