#include "common/kafka/rdkafka_config.h"

namespace leadflow::kafka::internal {

Status ApplyProperties(rd_kafka_conf_t* conf, const std::map<std::string, std::string>& props) {
  char err[512];
  for (const auto& [k, v] : props) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      // Never echo a credential (sasl.password, ssl.key.password, ...).
      const bool secret = k.find("password") != std::string::npos ||
                          k.find("secret") != std::string::npos ||
                          k.find("key") != std::string::npos;
      return Status::InvalidArgument("kafka property " + k + "=" + (secret ? "<redacted>" : v) +
                                     ": " + err);
    }
  }
  return Status::Ok();
}

}  // namespace leadflow::kafka::internal
