// Internal helpers shared by the producer and consumer. Included only by .cc
// files (it includes librdkafka).
#pragma once

#include <map>
#include <string>

#include <librdkafka/rdkafka.h>

#include "common/kafka/stats.h"
#include "common/util/status.h"

namespace leadflow::kafka::internal {

// Applies properties; on failure destroys `conf` and names the property.
Status ApplyProperties(rd_kafka_conf_t* conf, const std::map<std::string, std::string>& props);

}  // namespace leadflow::kafka::internal
