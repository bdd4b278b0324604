// leadflow-devkafka: a Kafka-protocol development cluster on loopback built on
// librdkafka's mock cluster, with the project topics pre-created and an HTTP
// control interface for fault injection. See UsageText() for the interface.

#include <signal.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tools/devkafka/cli_options.h"
#include "tools/devkafka/control_server.h"
#include "tools/devkafka/info_file.h"
#include "tools/devkafka/mock_cluster.h"
#include "tools/devkafka/mock_log_index.h"
#include "tools/devkafka/mock_retention.h"
#include "tools/devkafka/produce_limit_filter.h"
#include "tools/devkafka/topic_list.h"

namespace leadflow::devkafka {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

bool LoadTopics(const CliOptions& options, std::vector<TopicSpec>* topics, std::string* error) {
  if (options.topics_file.empty()) {
    *topics = DefaultTopics();
    return true;
  }
  std::ifstream in(options.topics_file);
  if (!in) {
    *error = "cannot read topics file " + options.topics_file;
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string parse_error;
  if (!ParseTopicList(text.str(), topics, &parse_error)) {
    *error = options.topics_file + ": " + parse_error;
    return false;
  }
  return true;
}

int Run(int argc, char** argv) {
  const std::string program = "leadflow-devkafka";
  CliParseResult parsed = ParseCliOptions(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.ok) {
    std::cerr << program << ": " << parsed.error << "\n\n" << UsageText(program);
    return kExitUsage;
  }
  const CliOptions& options = parsed.options;
  if (options.help) {
    std::cout << UsageText(program);
    return kExitOk;
  }

  std::vector<TopicSpec> topics;
  std::string error;
  if (!LoadTopics(options, &topics, &error)) {
    std::cerr << program << ": " << error << "\n";
    return kExitUsage;
  }

  // Block the shutdown signals before any thread exists so that every thread
  // (librdkafka's, cpp-httplib's) inherits the mask and sigwait() below is the
  // only receiver.
  sigset_t shutdown_signals;
  sigemptyset(&shutdown_signals);
  sigaddset(&shutdown_signals, SIGTERM);
  sigaddset(&shutdown_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &shutdown_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<MockCluster> cluster = MockCluster::Create(options.brokers, options.quiet, &error);
  if (!cluster) {
    std::cerr << program << ": " << error << "\n";
    return kExitFailure;
  }
  for (const TopicSpec& topic : topics) {
    if (!cluster->CreateTopic(topic, &error)) {
      std::cerr << program << ": " << error << "\n";
      return kExitFailure;
    }
  }
  ControlServer control(cluster.get(), options.quiet);
  if (!control.Start(options.control_port, &error)) {
    std::cerr << program << ": " << error << "\n";
    return kExitFailure;
  }
  const std::string control_address = "127.0.0.1:" + std::to_string(control.port());

  std::cout << "bootstrap=" << cluster->bootstrap() << std::endl;  // Flushes.
  if (!options.quiet) {
    std::cerr << "devkafka: " << options.brokers << " broker(s) at " << cluster->bootstrap()
              << ", control http://" << control_address << ", replication factor "
              << cluster->replication_factor() << ", " << topics.size()
              << " topics: " << DescribeTopics(topics) << std::endl;
    std::cerr << "devkafka: retention off in " << retention::PatchedPartitions()
              << " partitions (every record kept until exit); record batches over "
              << kBrokerMessageMaxBytes << " bytes refused with MESSAGE_TOO_LARGE" << std::endl;
    std::cerr << "devkafka: log segments "
              << (log_index::GetStats().enabled
                      ? "on (old record batches joined, so a fetch costs the same however long "
                        "the log)"
                      : "off (not librdkafka 2.0.2; a fetch walks the whole log)")
              << std::endl;
  }
  if (!options.info_file.empty() &&
      !WriteFileAtomically(options.info_file,
                           FormatInfoJson(cluster->bootstrap(), control_address, options.brokers),
                           &error)) {
    std::cerr << program << ": " << error << "\n";
    return kExitFailure;
  }

  int received = 0;
  while (sigwait(&shutdown_signals, &received) != 0) {
  }
  if (!options.quiet) {
    std::cerr << "devkafka: received " << (received == SIGTERM ? "SIGTERM" : "SIGINT")
              << ", shutting down" << std::endl;
  }
  control.Stop();
  cluster.reset();
  return kExitOk;
}

}  // namespace
}  // namespace leadflow::devkafka

int main(int argc, char** argv) { return leadflow::devkafka::Run(argc, argv); }
