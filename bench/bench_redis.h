// A real redis-server and a connected client for the micro-benchmarks that
// run Redis-backed code (the claim, the services' batch handlers). A benchmark
// cannot run without it, so a failure to start or connect aborts with the
// reason on stderr.
#pragma once

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

#include "common/redis/client.h"
#include "common/testing/redis_server.h"

namespace leadflow::bench {

struct BenchRedis {
  std::unique_ptr<leadflow::testing::RedisServer> server;
  std::unique_ptr<leadflow::redis::Client> client;
};

// Commands the server has run so far by INFO commandstats (Lua-internal
// calls included, INFO itself left out), for a redis_cmds_per_lead counter.
inline double RedisCommandsSoFar(leadflow::testing::RedisServer& server) {
  const std::string info = server.Command({"INFO", "commandstats"}).value_or("");
  double total = 0;
  for (size_t at = info.find("cmdstat_"); at != std::string::npos;
       at = info.find("cmdstat_", at + 1)) {
    if (info.compare(at, 13, "cmdstat_info:") == 0) continue;
    const size_t calls = info.find("calls=", at);
    if (calls != std::string::npos) total += std::strtod(info.c_str() + calls + 6, nullptr);
  }
  return total;
}

// CPU seconds the server has used so far (INFO cpu: used_cpu_sys +
// used_cpu_user), for a redis_cpu_us_per_lead counter.
inline double RedisCpuSecondsSoFar(leadflow::testing::RedisServer& server) {
  const std::string info = server.Command({"INFO", "cpu"}).value_or("");
  double total = 0;
  for (const char* field : {"used_cpu_sys:", "used_cpu_user:"}) {
    const size_t at = info.find(field);
    if (at != std::string::npos) total += std::strtod(info.c_str() + at + strlen(field), nullptr);
  }
  return total;
}

inline BenchRedis StartBenchRedisOrAbort() {
  BenchRedis redis;
  std::string error;
  redis.server = leadflow::testing::RedisServer::Start({}, &error);
  if (!redis.server) {
    std::cerr << "redis-server: " << error << "\n";
    std::abort();
  }
  auto client = leadflow::redis::Client::Connect({.url = redis.server->url()});
  if (!client.ok()) {
    std::cerr << client.status().message() << "\n";
    std::abort();
  }
  redis.client = std::move(*client);
  return redis;
}

}  // namespace leadflow::bench
