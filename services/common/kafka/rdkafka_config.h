// Internal helpers shared by the producer and consumer. Included only by .cc
// files (it includes librdkafka).
#pragma once

#include <map>
#include <string>

#include <librdkafka/rdkafka.h>

#include "common/kafka/message.h"
#include "common/kafka/stats.h"
#include "common/util/status.h"

namespace leadflow::metrics {
class ServiceMetrics;
}

namespace leadflow::kafka::internal {

// A consumed librdkafka message as a plain value (topic, partition, offset,
// key, payload, headers, timestamp).
ConsumedMessage ToConsumedMessage(const rd_kafka_message_t* m);

// Applies properties; on failure destroys `conf` and names the property.
Status ApplyProperties(rd_kafka_conf_t* conf, const std::map<std::string, std::string>& props);

// The properties every consumer of ours sets: its brokers, client and group
// ids, and offsets committed only by the code, never automatically.
std::map<std::string, std::string> ConsumerProperties(const std::string& brokers,
                                                      const std::string& client_id,
                                                      const std::string& group_id);

// How a client is made: its properties (`props`, each overridden by
// `overrides`, the deployment's pass-through: security, tuning), the opaque
// pointer its callbacks get, its error callback, and `configure` for its other
// callbacks. A failure is kInvalidArgument naming `what` ("kafka consumer").
struct ClientSpec {
  rd_kafka_type_t type;
  std::string what;
  std::map<std::string, std::string> props;
  std::map<std::string, std::string> overrides;
  void* opaque = nullptr;
  void (*on_error)(rd_kafka_t*, int, const char*, void*) = nullptr;
  void (*configure)(rd_kafka_conf_t*) = nullptr;
};
StatusOr<rd_kafka_t*> NewClient(ClientSpec spec);

// How a failed produce of one message is retried.
enum class ProduceErrorClass {
  kTransient,  // broker down, timeouts, leadership moves: the same message can succeed later
  kPermanent,  // too large, unknown topic, not authorized, invalid record: it never will
  kFatal,      // the client itself is unusable (RD_KAFKA_RESP_ERR__FATAL): restart the process
};
ProduceErrorClass ClassifyProduceError(rd_kafka_resp_err_t err);

// The Status for a failed produce: kInvalidArgument for a permanent error,
// kUnavailable otherwise (a fatal error is handled by OnClientError; the
// messages it fails are retried until the process stops).
Status ProduceErrorStatus(rd_kafka_resp_err_t err, const std::string& what);

// The error callback of every client (rd_kafka_conf_set_error_cb). Logs the
// error; on RD_KAFKA_RESP_ERR__FATAL it logs rd_kafka_fatal_error()'s
// underlying error and reason, counts it (errors_total{reason="kafka_fatal"})
// and calls lifecycle::Shutdown::Fatal(), which fails /healthz and makes the
// process exit non-zero (docs/reliability.md). `opaque` is unused.
void OnClientError(rd_kafka_t* rk, int err, const char* reason, metrics::ServiceMetrics* metrics);

}  // namespace leadflow::kafka::internal
