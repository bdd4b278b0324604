#include "tools/devkafka/cli_options.h"

#include <charconv>
#include <optional>

namespace leadflow::devkafka {
namespace {

std::optional<int> ParseIntInRange(const std::string& text, int min, int max) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  if (value < min || value > max) return std::nullopt;
  return value;
}

}  // namespace

CliParseResult ParseCliOptions(const std::vector<std::string>& args) {
  CliParseResult result;
  CliOptions& options = result.options;
  auto fail = [&](std::string message) {
    result.ok = false;
    result.error = std::move(message);
    return result;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> inline_value;
    if (flag.rfind("--", 0) == 0) {
      if (std::size_t eq = flag.find('='); eq != std::string::npos) {
        inline_value = flag.substr(eq + 1);
        flag = flag.substr(0, eq);
      }
    }
    const bool takes_value = flag == "--brokers" || flag == "--topics-file" ||
                             flag == "--info-file" || flag == "--control-port";
    if (!takes_value) {
      if (inline_value) return fail(flag + ": does not take a value");
      if (flag == "--help" || flag == "-h") {
        options.help = true;
      } else if (flag == "--quiet" || flag == "-q") {
        options.quiet = true;
      } else {
        return fail("unknown argument \"" + args[i] + "\"");
      }
      continue;
    }
    std::string value;
    if (inline_value) {
      value = *inline_value;
    } else {
      if (i + 1 >= args.size()) return fail(flag + ": missing value");
      value = args[++i];
    }
    if (flag == "--brokers") {
      std::optional<int> brokers = ParseIntInRange(value, 1, kMaxBrokers);
      if (!brokers) {
        return fail("--brokers: expected an integer in [1, " + std::to_string(kMaxBrokers) +
                    "], got \"" + value + "\"");
      }
      options.brokers = *brokers;
    } else if (flag == "--control-port") {
      std::optional<int> port = ParseIntInRange(value, 0, 65535);
      if (!port) return fail("--control-port: expected a port in [0, 65535], got \"" + value + "\"");
      options.control_port = *port;
    } else if (value.empty()) {
      return fail(flag + ": path must not be empty");
    } else if (flag == "--topics-file") {
      options.topics_file = value;
    } else {
      options.info_file = value;
    }
  }
  result.ok = true;
  return result;
}

std::string UsageText(const std::string& program) {
  return "Usage: " + program +
         " [--brokers N] [--topics-file PATH] [--info-file PATH]\n"
         "       [--control-port P] [--quiet] [--help]\n"
         "\n"
         "Runs a Kafka-protocol development cluster on 127.0.0.1 (librdkafka mock\n"
         "cluster) with the leadflow topics pre-created, plus an HTTP control\n"
         "interface for fault injection.\n"
         "\n"
         "Options:\n"
         "  --brokers N         number of brokers, 1.." +
         std::to_string(kMaxBrokers) +
         " (default 1); replication factor is min(3, N)\n"
         "  --topics-file PATH  topics to create, one \"<name> <partitions>\" per line,\n"
         "                      '#' starts a comment (default: built-in project list)\n"
         "  --info-file PATH    once ready, atomically write JSON\n"
         "                      {\"bootstrap\":\"127.0.0.1:p1,...\",\"control\":\"127.0.0.1:port\",\n"
         "                       \"brokers\":N} to PATH\n"
         "  --control-port P    control HTTP port on 127.0.0.1 (default 0 = ephemeral)\n"
         "  --quiet             no informational output on stderr (errors still printed)\n"
         "  --help              show this text and exit\n"
         "\n"
         "Broker limits (like a Kafka broker with default settings):\n"
         "  - a record batch (one partition's records in a Produce request) larger than\n"
         "    1,048,588 bytes (message.max.bytes) is refused with MESSAGE_TOO_LARGE,\n"
         "    whatever the client's own message.max.bytes; a line on stderr says so;\n"
         "  - retention is off: every record stays readable (in memory) until devkafka\n"
         "    exits. librdkafka's mock cluster would drop a partition's oldest batches\n"
         "    beyond 5 MiB or 100,000 batches; devkafka lifts both limits in every\n"
         "    topic, auto-created ones included, and refuses to start (exit 1) if it\n"
         "    cannot.\n"
         "  - old record batches are joined into segments: the mock keeps one list\n"
         "    entry per batch and walks the list from its start on every fetch below\n"
         "    the log end, so that walk grew all run long. devkafka joins a partition's\n"
         "    batches older than its newest 8 into segments as soon as it sees them,\n"
         "    and merges adjacent segments while they stay within 1 MiB (the same bytes\n"
         "    and offsets; nothing dropped), so a walk is a few dozen entries plus about\n"
         "    two per MiB kept. A fetch at an offset inside a segment gets the whole\n"
         "    segment (at most 1 MiB, or one larger batch), and the client skips the\n"
         "    records before its offset, as it does in the batch a broker returns. Only\n"
         "    with librdkafka 2.0.2, whose layout is checked; otherwise it stays off\n"
         "    and a line on stderr says so. GET /status reports log_segments (with\n"
         "    longest_log, the most entries a fetch may walk).\n"
         "  - no topic configs and no compaction: compacted topics (accounts.changes,\n"
         "    reps.availability, reps.out-of-office, accounts.contacts) keep every\n"
         "    record, so a reader\n"
         "    sees each key's whole history in order, ending with its newest value or\n"
         "    tombstone, as a Kafka reader may before compaction has run.\n"
         "\n"
         "Output: exactly one line \"bootstrap=<host:port,...>\" on stdout when ready.\n"
         "\n"
         "Control interface (JSON):\n"
         "  GET    /status                 brokers (id, address, up), topics, log_segments\n"
         "  POST   /brokers/<id>/down      disconnect broker <id> and refuse connections\n"
         "  POST   /brokers/<id>/up        accept connections again\n"
         "  POST   /errors                 {\"api_key\":0,\"errors\":[6,6],\"broker\":2,\"rtt_ms\":100}\n"
         "                                 push request errors (broker/rtt_ms optional;\n"
         "                                 rtt_ms requires broker)\n"
         "  DELETE /errors?api_key=K       clear cluster-wide errors for api key K\n"
         "  POST   /topics                 {\"name\":\"t\",\"partitions\":3} create a topic\n"
         "\n"
         "Stops cleanly (exit 0) on SIGTERM or SIGINT. Exits 2 on invalid arguments or\n"
         "an invalid topics file, 1 on other startup failures.\n";
}

}  // namespace leadflow::devkafka
