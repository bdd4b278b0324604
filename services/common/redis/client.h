// A Redis client for the small mutable state: dedupe keys, capacity claims,
// schedules and registry views.
//
// Threading: one connection guarded by a mutex; every call is safe from any
// thread and calls are serialised. Retries: a call that fails on the
// connection (not a Redis error reply) reconnects once and is retried once; if
// that fails too it returns kUnavailable, which the consumer loop treats as
// transient. A refused AUTH or SELECT (at connect or on a reconnect) is
// kUnavailable too, and leaves no half-open connection behind. Lua scripts are loaded on first use and re-loaded after NOSCRIPT
// (e.g. after a Redis restart), so callers never see that error.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/redis/reply.h"
#include "common/util/status.h"

namespace leadflow::redis {

using Command = std::vector<std::string>;

struct ClientOptions {
  std::string url = "redis://127.0.0.1:6379";  // redis://[user:password@]host:port[/db]
  std::chrono::milliseconds timeout{2000};
};

// A server-side Lua script, identified by its SHA1 once loaded.
class Script {
 public:
  explicit Script(std::string body) : body_(std::move(body)) {}
  const std::string& body() const { return body_; }

 private:
  friend class Client;
  std::string body_;
  std::string sha_;  // set by Client on load; guarded by the client's mutex
};

// One run of a script, for Client::EvalMany.
struct ScriptCall {
  std::vector<std::string> keys;
  std::vector<std::string> args;
};

struct ParsedUrl {
  std::string host;
  int port = 6379;
  std::string user;
  std::string password;
  int db = 0;
};
StatusOr<ParsedUrl> ParseRedisUrl(const std::string& url);

class Client {
 public:
  // Connects eagerly; fails with a message naming the URL's host and port.
  static StatusOr<std::unique_ptr<Client>> Connect(const ClientOptions& options);
  ~Client();

  // One command; a Redis error reply is returned as a Reply of type kError.
  StatusOr<Reply> Run(const Command& command);
  // Sends all commands in one round trip and returns the replies in order.
  StatusOr<std::vector<Reply>> Pipeline(const std::vector<Command>& commands);
  // EVALSHA with NOSCRIPT fallback.
  StatusOr<Reply> Eval(Script& script, const std::vector<std::string>& keys,
                       const std::vector<std::string>& args);
  // Runs the script once per call, all in one round trip (pipelined EVALSHA),
  // and returns the replies in call order; an error reply of one call does not
  // stop the others. Calls that met NOSCRIPT (a Redis restart flushed the
  // script cache) are re-run once the script is loaded again. Use it to do a
  // consumer batch's writes in one request instead of one round trip each.
  StatusOr<std::vector<Reply>> EvalMany(Script& script, const std::vector<ScriptCall>& calls);
  // PING; used by readiness checks.
  bool Ping();

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadflow::redis
