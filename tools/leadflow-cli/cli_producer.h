// The Kafka producer every leadflow-cli command that publishes uses.
#pragma once

#include <memory>
#include <string>

#include "common/kafka/producer.h"

namespace leadflow::cli {

// A producer for `brokers` (client id leadflow-cli), or nullptr after printing
// why it could not be made.
std::unique_ptr<kafka::Producer> MakeProducer(const std::string& brokers);

// Flushes `p`; prints "published <count> <what>" and returns 0, or prints the
// error and returns 1.
int FlushOrFail(kafka::Producer& p, int count, const char* what);

}  // namespace leadflow::cli
