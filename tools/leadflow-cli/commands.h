// The leadflow-cli subcommands. Each returns a process exit code and prints
// its own progress and errors.
#pragma once

#include <string>

namespace leadflow::cli {

int PublishAccounts(const std::string& brokers, const std::string& path);
int SubmitFile(const std::string& brokers, const std::string& path);
int SubmitGrpc(const std::string& intake_address, const std::string& json,
               const std::string& api_key = "");
int Watch(const std::string& brokers, int expect, int timeout_s);

}  // namespace leadflow::cli
