#include "common/kafka/rdkafka_config.h"

#include "common/lifecycle/shutdown.h"
#include "common/log/log.h"
#include "common/metrics/service_metrics.h"

namespace leadflow::kafka::internal {

ConsumedMessage ToConsumedMessage(const rd_kafka_message_t* m) {
  ConsumedMessage out;
  out.topic = rd_kafka_topic_name(m->rkt);
  out.partition = m->partition;
  out.offset = m->offset;
  if (m->key) out.key.assign(static_cast<const char*>(m->key), m->key_len);
  if (m->payload) out.payload.assign(static_cast<const char*>(m->payload), m->len);
  rd_kafka_timestamp_type_t tstype;
  out.timestamp_ms = rd_kafka_message_timestamp(m, &tstype);
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) ==
                       RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      out.headers.push_back({name, value ? std::string(static_cast<const char*>(value), size) : ""});
    }
  }
  return out;
}

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

std::map<std::string, std::string> ConsumerProperties(const std::string& brokers,
                                                      const std::string& client_id,
                                                      const std::string& group_id) {
  return {{"bootstrap.servers", brokers},
          {"client.id", client_id},
          {"group.id", group_id},
          {"enable.auto.commit", "false"},
          {"enable.auto.offset.store", "false"}};
}

StatusOr<rd_kafka_t*> NewClient(ClientSpec spec) {
  for (const auto& [k, v] : spec.overrides) spec.props[k] = v;
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  if (Status s = ApplyProperties(conf, spec.props); !s.ok()) return s;
  if (spec.opaque != nullptr) rd_kafka_conf_set_opaque(conf, spec.opaque);
  if (spec.on_error != nullptr) rd_kafka_conf_set_error_cb(conf, spec.on_error);
  if (spec.configure != nullptr) spec.configure(conf);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(spec.type, conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::InvalidArgument(spec.what + ": " + err);
  }
  return rk;
}

ProduceErrorClass ClassifyProduceError(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__FATAL:
      return ProduceErrorClass::kFatal;
    // The message itself: the broker or the client refuses it as it is.
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR__BAD_MSG:
    // Its destination: the topic does not exist once metadata is known (the
    // client reports it only then), or this client may not write to it.
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
      return ProduceErrorClass::kPermanent;
    default:
      return ProduceErrorClass::kTransient;
  }
}

Status ProduceErrorStatus(rd_kafka_resp_err_t err, const std::string& what) {
  std::string message = what + ": " + rd_kafka_err2name(err) + " (" + rd_kafka_err2str(err) + ")";
  if (ClassifyProduceError(err) == ProduceErrorClass::kPermanent) {
    return Status::InvalidArgument("permanent: " + message);
  }
  return Status::Unavailable(std::move(message));
}

void OnClientError(rd_kafka_t* rk, int err, const char* reason, metrics::ServiceMetrics* metrics) {
  const auto code = static_cast<rd_kafka_resp_err_t>(err);
  if (code != RD_KAFKA_RESP_ERR__FATAL) {
    log::Warn("kafka client error", {{"error", rd_kafka_err2name(code)}, {"reason", reason}});
    return;
  }
  char detail[512] = "";
  const rd_kafka_resp_err_t underlying = rd_kafka_fatal_error(rk, detail, sizeof detail);
  if (metrics) metrics->Error("kafka_fatal");
  log::Error("kafka client fatal error: the process must restart",
             {{"client", rd_kafka_name(rk)},
              {"error", rd_kafka_err2name(underlying)},
              {"reason", detail[0] ? detail : reason}});
  lifecycle::Shutdown::Fatal(std::string("kafka fatal error ") + rd_kafka_err2name(underlying) +
                             ": " + (detail[0] ? detail : reason));
}

}  // namespace leadflow::kafka::internal
