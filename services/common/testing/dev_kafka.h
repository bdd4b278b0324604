// Test fixture running the leadflow-devkafka binary (a Kafka-protocol mock
// cluster on 127.0.0.1) as a child process, plus a client for its HTTP
// control interface.
//
//   std::string error;
//   auto kafka = DevKafka::Start({.brokers = 3}, &error);
//   ASSERT_NE(kafka, nullptr) << error;
//   ... connect clients to kafka->bootstrap() ...
//   ASSERT_TRUE(kafka->BrokerDown(2));
//   EXPECT_EQ(kafka->Stop(), 0);

#ifndef LEADFLOW_SERVICES_COMMON_TESTING_DEV_KAFKA_H_
#define LEADFLOW_SERVICES_COMMON_TESTING_DEV_KAFKA_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/testing/child_process.h"
#include "common/testing/temp_dir.h"

namespace leadflow::testing {

/// How to start leadflow-devkafka.
struct DevKafkaOptions {
  int brokers = 1;
  /// `--topics-file`; empty = the built-in project topic list.
  std::string topics_file;
  /// Pass `--quiet` (no informational stderr lines).
  bool quiet = false;
  /// How long to wait for the info file.
  std::chrono::milliseconds start_timeout = std::chrono::seconds(20);
  /// Executable; empty = DevKafka::BinaryPath().
  std::string binary;
};

/// Reply of a raw control request.
struct ControlResponse {
  int status = -1;  ///< HTTP status, -1 if the request could not be sent.
  std::string body;
};

/// A running leadflow-devkafka process. Not thread-safe.
class DevKafka {
 public:
  /// Launches `leadflow-devkafka --brokers N --info-file <tmp>/info.json` and
  /// waits for the info file. Returns nullptr and sets `*error` (with the
  /// process's stderr) on failure.
  static std::unique_ptr<DevKafka> Start(const DevKafkaOptions& options,
                                         std::string* error = nullptr);

  /// The binary: $LEADFLOW_BIN_DIR/leadflow-devkafka if that exists (CTest
  /// sets LEADFLOW_BIN_DIR), else the path of the leadflow-devkafka target
  /// compiled into this library.
  static std::string BinaryPath();

  /// Kills the process if Stop() was not called.
  ~DevKafka();
  DevKafka(const DevKafka&) = delete;
  DevKafka& operator=(const DevKafka&) = delete;

  /// "127.0.0.1:p1,127.0.0.1:p2,..." for bootstrap.servers.
  const std::string& bootstrap() const { return bootstrap_; }
  /// "http://127.0.0.1:port" of the control interface.
  const std::string& control_url() const { return control_url_; }
  int brokers() const { return brokers_; }

  /// Take broker `id` (1..brokers()) down / bring it up again. Going down
  /// closes client connections and refuses new ones; partition leadership
  /// does not move. On failure returns false and sets `*error`.
  bool BrokerDown(int id, std::string* error = nullptr);
  bool BrokerUp(int id, std::string* error = nullptr);

  /// Make the next errors.size() requests with `api_key` (Kafka protocol
  /// ApiKey, e.g. 0 = Produce, 1 = Fetch, 3 = Metadata, 22 = InitProducerId)
  /// fail with the given error codes, in order, whichever broker gets them.
  /// Code -195 (RD_KAFKA_RESP_ERR__TRANSPORT) makes the broker disconnect.
  bool PushRequestErrors(int16_t api_key, const std::vector<int>& errors,
                         std::string* error = nullptr);

  /// Same for requests to broker `broker` only, each response delayed by
  /// `rtt_ms` (error code 0 = succeed, but slowly). Takes precedence over the
  /// cluster-wide errors; cannot be cleared.
  bool PushBrokerRequestErrors(int broker, int16_t api_key, const std::vector<int>& errors,
                               int rtt_ms = 0, std::string* error = nullptr);

  /// Drops the not yet consumed cluster-wide errors of `api_key`.
  bool ClearRequestErrors(int16_t api_key, std::string* error = nullptr);

  /// Creates an extra topic (replication factor min(3, brokers())).
  bool CreateTopic(const std::string& name, int partitions, std::string* error = nullptr);

  /// GET /status: the raw JSON text ({"brokers":[{"id","address","up"}],
  /// "topics":[{"name","partitions"}],...}).
  ControlResponse Status();

  /// Any control request, e.g. Control("POST", "/errors", "{...}").
  ControlResponse Control(const std::string& method, const std::string& path,
                          const std::string& body = "");

  /// SIGTERM and wait; returns the exit code (0 = clean shutdown; 137 if it
  /// had to be killed after 15 s). Idempotent.
  int Stop();

  /// The underlying process (logs, pid, ...).
  ChildProcess& process() { return *process_; }

 private:
  DevKafka() = default;
  bool Mutate(const std::string& method, const std::string& path, const std::string& body,
              std::string* error);

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<ChildProcess> process_;
  std::string bootstrap_;
  std::string control_host_;
  int control_port_ = 0;
  std::string control_url_;
  int brokers_ = 0;
};

}  // namespace leadflow::testing

#endif  // LEADFLOW_SERVICES_COMMON_TESTING_DEV_KAFKA_H_
