// HTTP control interface of leadflow-devkafka (cpp-httplib, 127.0.0.1 only).
//
//   GET    /status              {"bootstrap":..,"brokers":[{"id","address","up"}],
//                                "topics":[{"name","partitions"}],"replication_factor":R,
//                                "log_segments":{"enabled","segments","batches_merged",
//                                                "segments_merged","longest_log"}}
//   POST   /brokers/<id>/down   take a broker down
//   POST   /brokers/<id>/up     bring it back
//   POST   /errors              {"api_key":K,"errors":[..],"broker":id?,"rtt_ms":ms?}
//   DELETE /errors?api_key=K    clear the cluster-wide error stack of K
//   POST   /topics              {"name":..,"partitions":..}
//
// Successful mutations answer 200 {"ok":true,...}. Invalid requests answer
// 400 {"error":"<field>: <reason>","field":"<field>"}; creating an existing
// topic answers 409.

#ifndef LEADFLOW_TOOLS_DEVKAFKA_CONTROL_SERVER_H_
#define LEADFLOW_TOOLS_DEVKAFKA_CONTROL_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "tools/devkafka/mock_cluster.h"

namespace httplib {
class Server;
}

namespace leadflow::devkafka {

/// Serves the control interface for one MockCluster on a background thread.
class ControlServer {
 public:
  /// `cluster` must outlive this object. With `quiet`, mutations are not
  /// logged to stderr.
  ControlServer(MockCluster* cluster, bool quiet);
  /// Stops the server if still running.
  ~ControlServer();

  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  /// Binds 127.0.0.1:`port` (0 = ephemeral) and starts serving. Returns false
  /// and sets `*error` if the port cannot be bound.
  bool Start(int port, std::string* error);

  /// Port actually bound; valid after a successful Start().
  int port() const { return port_; }

  /// Stops accepting requests and joins the serving thread. Idempotent.
  void Stop();

 private:
  void RegisterHandlers();
  void Log(const std::string& line) const;

  MockCluster* cluster_;
  bool quiet_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace leadflow::devkafka

#endif  // LEADFLOW_TOOLS_DEVKAFKA_CONTROL_SERVER_H_
