#include "tools/devkafka/control_server.h"

#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "tools/devkafka/control_requests.h"

namespace leadflow::devkafka {
namespace {

using nlohmann::json;

constexpr const char* kJson = "application/json";

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump() + "\n", kJson);
}

void ReplyError(httplib::Response& res, int status, const RequestError& error) {
  res.status = status;
  res.set_content(ErrorResponseJson(error) + "\n", kJson);
}

json StatusJson(const MockCluster::Status& status, int replication_factor) {
  json brokers = json::array();
  for (const MockCluster::Broker& broker : status.brokers) {
    brokers.push_back({{"id", broker.id}, {"address", broker.address}, {"up", broker.up}});
  }
  json topics = json::array();
  for (const TopicSpec& topic : status.topics) {
    topics.push_back({{"name", topic.name}, {"partitions", topic.partitions}});
  }
  return {{"bootstrap", status.bootstrap},
          {"brokers", brokers},
          {"topics", topics},
          {"replication_factor", replication_factor},
          {"log_segments",
           {{"enabled", status.log_segments.enabled},
            {"segments", status.log_segments.segments},
            {"batches_merged", status.log_segments.batches_merged},
            {"segments_merged", status.log_segments.segments_merged},
            {"longest_log", status.log_segments.longest_log}}}};
}

std::string JoinCodes(const std::vector<int>& codes) {
  std::string text;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (i > 0) text += ",";
    text += std::to_string(codes[i]);
  }
  return text;
}

}  // namespace

ControlServer::ControlServer(MockCluster* cluster, bool quiet)
    : cluster_(cluster), quiet_(quiet), server_(std::make_unique<httplib::Server>()) {
  RegisterHandlers();
}

ControlServer::~ControlServer() { Stop(); }

void ControlServer::Log(const std::string& line) const {
  if (!quiet_) std::fprintf(stderr, "devkafka: %s\n", line.c_str());
}

void ControlServer::RegisterHandlers() {
  server_->Get("/status", [this](const httplib::Request&, httplib::Response& res) {
    Reply(res, 200, StatusJson(cluster_->GetStatus(), cluster_->replication_factor()));
  });

  server_->Post(R"(/brokers/([^/]+)/(up|down))",
                [this](const httplib::Request& req, httplib::Response& res) {
                  int id = 0;
                  if (auto error = ParseBrokerId(req.matches[1].str(), cluster_->broker_count(),
                                                 &id)) {
                    return ReplyError(res, 400, *error);
                  }
                  const bool up = req.matches[2].str() == "up";
                  std::string failure;
                  if (!cluster_->SetBrokerUp(id, up, &failure)) {
                    return ReplyError(res, 500, {"broker", failure});
                  }
                  Log("broker " + std::to_string(id) + (up ? " up" : " down"));
                  Reply(res, 200, {{"ok", true}, {"broker", id}, {"up", up}});
                });

  server_->Post("/errors", [this](const httplib::Request& req, httplib::Response& res) {
    ErrorInjection injection;
    if (auto error = ParseErrorInjection(req.body, cluster_->broker_count(), &injection)) {
      return ReplyError(res, 400, *error);
    }
    if (injection.broker) {
      std::string failure;
      if (!cluster_->PushBrokerRequestErrors(*injection.broker, injection.api_key,
                                             injection.errors, injection.rtt_ms.value_or(0),
                                             &failure)) {
        return ReplyError(res, 500, {"broker", failure});
      }
    } else {
      cluster_->PushRequestErrors(injection.api_key, injection.errors);
    }
    Log("pushed errors [" + JoinCodes(injection.errors) + "] for api_key " +
        std::to_string(injection.api_key) +
        (injection.broker ? " on broker " + std::to_string(*injection.broker) +
                                " rtt_ms " + std::to_string(injection.rtt_ms.value_or(0))
                          : std::string(" cluster-wide")));
    json body = {{"ok", true},
                 {"api_key", injection.api_key},
                 {"count", injection.errors.size()}};
    if (injection.broker) body["broker"] = *injection.broker;
    Reply(res, 200, body);
  });

  server_->Delete("/errors", [this](const httplib::Request& req, httplib::Response& res) {
    std::optional<std::string> param;
    if (req.has_param("api_key")) param = req.get_param_value("api_key");
    int16_t api_key = 0;
    if (auto error = ParseApiKeyParam(param, &api_key)) return ReplyError(res, 400, *error);
    cluster_->ClearRequestErrors(api_key);
    Log("cleared cluster-wide errors for api_key " + std::to_string(api_key));
    Reply(res, 200, {{"ok", true}, {"api_key", api_key}});
  });

  server_->Post("/topics", [this](const httplib::Request& req, httplib::Response& res) {
    TopicCreation creation;
    if (auto error = ParseTopicCreation(req.body, &creation)) return ReplyError(res, 400, *error);
    std::string failure;
    if (!cluster_->CreateTopic({creation.name, creation.partitions}, &failure)) {
      return ReplyError(res, 409, {"name", failure});
    }
    Log("created topic " + creation.name + "(" + std::to_string(creation.partitions) + ")");
    Reply(res, 200,
          {{"ok", true}, {"name", creation.name}, {"partitions", creation.partitions}});
  });

  // Unknown paths / methods: JSON instead of an empty body.
  server_->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string message = "no such endpoint: " + req.method + " " + req.path;
    if (res.status != 404) {
      // cpp-httplib 0.11 rejects a POST without Content-Length before routing.
      message = "HTTP " + std::to_string(res.status) + " for " + req.method + " " + req.path +
                " (a POST needs a body or \"Content-Length: 0\"; with curl use -d '')";
    }
    json body = {{"error", message}};
    res.set_content(body.dump() + "\n", kJson);
  });
}

bool ControlServer::Start(int port, std::string* error) {
  if (port == 0) {
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ < 0) {
      *error = "cannot bind control server to 127.0.0.1";
      return false;
    }
  } else {
    if (!server_->bind_to_port("127.0.0.1", port)) {
      *error = "cannot bind control server to 127.0.0.1:" + std::to_string(port);
      return false;
    }
    port_ = port;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() is a no-op until the listen loop runs, so wait for it (there is no
  // wait_until_ready() in cpp-httplib 0.11).
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return true;
}

void ControlServer::Stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

}  // namespace leadflow::devkafka
