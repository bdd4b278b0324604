// Command line parsing for leadflow-devkafka. Pure: no I/O.

#ifndef LEADFLOW_TOOLS_DEVKAFKA_CLI_OPTIONS_H_
#define LEADFLOW_TOOLS_DEVKAFKA_CLI_OPTIONS_H_

#include <string>
#include <vector>

namespace leadflow::devkafka {

/// Upper bound for `--brokers`.
inline constexpr int kMaxBrokers = 16;

/// Parsed command line of leadflow-devkafka.
struct CliOptions {
  int brokers = 1;           ///< --brokers N, in [1, kMaxBrokers].
  std::string topics_file;   ///< --topics-file PATH; empty = built-in list.
  std::string info_file;     ///< --info-file PATH; empty = none written.
  int control_port = 0;      ///< --control-port P; 0 = ephemeral.
  bool quiet = false;        ///< --quiet: no informational stderr output.
  bool help = false;         ///< --help was given.
};

/// Outcome of ParseCliOptions().
struct CliParseResult {
  bool ok = false;
  CliOptions options;
  std::string error;  ///< Set when !ok, e.g. "--brokers: expected an integer in [1, 16]".
};

/// Parses `args` (argv without the program name). Flags take their value
/// either as the next argument (`--brokers 3`) or inline (`--brokers=3`).
CliParseResult ParseCliOptions(const std::vector<std::string>& args);

/// Usage text printed for `--help` and after usage errors.
std::string UsageText(const std::string& program);

}  // namespace leadflow::devkafka

#endif  // LEADFLOW_TOOLS_DEVKAFKA_CLI_OPTIONS_H_
