// Test fixture running a real redis-server on a free 127.0.0.1 port with its
// data directory in a temp dir.
//
//   std::string error;
//   auto redis = RedisServer::Start({}, &error);
//   ASSERT_NE(redis, nullptr) << error;
//   Connect(redis->url());

#ifndef LEADFLOW_SERVICES_COMMON_TESTING_REDIS_SERVER_H_
#define LEADFLOW_SERVICES_COMMON_TESTING_REDIS_SERVER_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/testing/child_process.h"
#include "common/testing/temp_dir.h"

namespace leadflow::testing {

/// How to start redis-server.
struct RedisServerOptions {
  /// `--appendonly yes`: writes survive Restart(). Otherwise no persistence
  /// at all (`--save "" --appendonly no`).
  bool appendonly = false;
  /// Executable (path or name in $PATH).
  std::string binary = "redis-server";
  /// How long to wait for the first PONG.
  std::chrono::milliseconds start_timeout = std::chrono::seconds(10);
};

/// A running redis-server. Not thread-safe.
class RedisServer {
 public:
  /// Picks a free port and starts `redis-server --port P --bind 127.0.0.1
  /// --save "" --appendonly no|yes --dir <tmp>`, then waits until it answers
  /// PING (raw socket, no redis-cli needed). Returns nullptr and sets
  /// `*error` on failure.
  static std::unique_ptr<RedisServer> Start(const RedisServerOptions& options = {},
                                            std::string* error = nullptr);

  /// Kills the server if it is still running.
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  /// "redis://127.0.0.1:<port>".
  std::string url() const;
  /// Data directory (AOF files live here).
  const std::string& dir() const { return dir_->path(); }

  /// Stops the server (SIGTERM) and starts it again on the same port and
  /// directory; waits for PING. Returns false and sets `*error` on failure.
  bool Restart(std::string* error = nullptr);

  /// SIGTERM and wait; returns the exit code (0 = clean). Idempotent.
  int Stop();

  /// True if the server answers PING right now.
  bool Ping();

  /// Sends one command (RESP-encoded, so arguments may contain spaces) on a
  /// fresh connection and returns the decoded reply: simple strings and
  /// integers as text, bulk strings as their content, nil as "(nil)", errors
  /// with their leading '-' (e.g. "-ERR ..."). Arrays are not supported.
  /// std::nullopt if the server cannot be reached.
  std::optional<std::string> Command(const std::vector<std::string>& args);

  /// The current process (logs, pid); valid after a successful start.
  ChildProcess& process() { return *process_; }

 private:
  RedisServer() = default;
  bool Launch(std::string* error);

  RedisServerOptions options_;
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
  int launches_ = 0;
};

}  // namespace leadflow::testing

#endif  // LEADFLOW_SERVICES_COMMON_TESTING_REDIS_SERVER_H_
