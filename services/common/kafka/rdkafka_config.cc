#include "common/kafka/rdkafka_config.h"

namespace leadflow::kafka::internal {

Status ApplyProperties(rd_kafka_conf_t* conf, const std::map<std::string, std::string>& props) {
  char err[512];
  for (const auto& [k, v] : props) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return Status::InvalidArgument("kafka property " + k + "=" + v + ": " + err);
    }
  }
  return Status::Ok();
}

}  // namespace leadflow::kafka::internal
