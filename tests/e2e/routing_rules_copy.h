// A copy of the shipped config/ for an e2e stack, with routing_rules.json
// changed by `edit` (e.g. one team's capacity or SLA ladder). Header-only.
#pragma once

#include <google/protobuf/util/json_util.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "leadflow/config/v1/routing_rules.pb.h"
#include "common/testing/paths.h"
#include "common/testing/temp_dir.h"

namespace leadflow::e2e {

// Copies config/ into `dir` and rewrites its routing_rules.json through
// `edit`; false with `error` set when the shipped file does not parse.
inline bool CopyConfigWithRoutingRules(
    const testing::TempDir& dir,
    const std::function<void(leadflow::config::v1::RoutingRules&)>& edit, std::string* error) {
  namespace fs = std::filesystem;
  fs::copy(testing::SourcePath("config"), dir.path(),
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  const std::string path = dir.path() + "/routing_rules.json";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  leadflow::config::v1::RoutingRules rules;
  if (!google::protobuf::util::JsonStringToMessage(text.str(), &rules).ok()) {
    *error = "cannot parse " + path;
    return false;
  }
  edit(rules);
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(rules, &json);
  std::ofstream(path, std::ios::trunc) << json;
  return true;
}

}  // namespace leadflow::e2e
