// Loads business-rule files (docs/architecture.md, "Conventions": JSON or protobuf text format, validated
// against a message, unknown fields rejected). The format follows the
// extension: .json, or .textproto / .txtpb / .pbtxt for text format.
// Errors name the file and, where the parser reports it, the field and line.
#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "common/util/status.h"

namespace leadflow::config {

Status LoadProtoFile(const std::string& path, google::protobuf::Message* out);

// Parses text already in memory; `origin` names it in errors (a path or "request").
Status ParseProtoJson(const std::string& json, const std::string& origin,
                      google::protobuf::Message* out);
Status ParseProtoText(const std::string& text, const std::string& origin,
                      google::protobuf::Message* out);

// Loads a rule file into a fresh `Config` and hands it to `create` (a
// Policy::Create that validates it once and returns an immutable policy).
// Returns create's result; a load error, or a validation error prefixed with
// the file's path, otherwise. Used by every service's composition root.
template <typename Config, typename Create>
auto LoadRules(const std::string& path, Create&& create) -> decltype(create(Config{})) {
  Config config;
  if (Status s = LoadProtoFile(path, &config); !s.ok()) return s;
  auto created = create(std::move(config));
  if (!created.ok()) {
    return Status(created.status().code(), path + ": " + created.status().message());
  }
  return created;
}

}  // namespace leadflow::config
