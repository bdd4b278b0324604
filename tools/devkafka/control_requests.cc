#include "tools/devkafka/control_requests.h"

#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "tools/devkafka/topic_list.h"

namespace leadflow::devkafka {
namespace {

using nlohmann::json;

RequestError Error(std::string field, const std::string& what) {
  RequestError error;
  error.message = field + ": " + what;
  error.field = std::move(field);
  return error;
}

// Parses `body` as a JSON object; on failure sets `*error` (field "body").
std::optional<json> ParseObject(std::string_view body, std::optional<RequestError>* error) {
  json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    *error = Error("body", "not valid JSON");
    return std::nullopt;
  }
  if (!parsed.is_object()) {
    *error = Error("body", "must be a JSON object");
    return std::nullopt;
  }
  return parsed;
}

std::optional<RequestError> RejectUnknownFields(const json& object,
                                                std::initializer_list<std::string_view> known) {
  for (const auto& item : object.items()) {
    bool found = false;
    for (std::string_view name : known) found = found || item.key() == name;
    if (!found) return Error(item.key(), "unknown field");
  }
  return std::nullopt;
}

// Reads an integer field in [min, max]. Returns an error naming `field` if it
// is not an integer or out of range.
std::optional<RequestError> ReadInt(const json& value, const std::string& field, long long min,
                                    long long max, long long* out) {
  if (!value.is_number_integer()) return Error(field, "must be an integer");
  long long v = 0;
  if (value.is_number_unsigned()) {
    auto u = value.get<unsigned long long>();
    if (u > static_cast<unsigned long long>(std::numeric_limits<long long>::max())) {
      return Error(field, "out of range");
    }
    v = static_cast<long long>(u);
  } else {
    v = value.get<long long>();
  }
  if (v < min || v > max) {
    return Error(field, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  *out = v;
  return std::nullopt;
}

std::optional<long long> ParseLongLong(std::string_view text) {
  long long value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<RequestError> ParseErrorInjection(std::string_view body, int broker_count,
                                                ErrorInjection* out) {
  std::optional<RequestError> error;
  std::optional<json> object = ParseObject(body, &error);
  if (!object) return error;
  if ((error = RejectUnknownFields(*object, {"api_key", "errors", "broker", "rtt_ms"}))) {
    return error;
  }
  ErrorInjection parsed;
  long long value = 0;

  if (!object->contains("api_key")) return Error("api_key", "required");
  if ((error = ReadInt((*object)["api_key"], "api_key", 0, std::numeric_limits<int16_t>::max(),
                       &value))) {
    return error;
  }
  parsed.api_key = static_cast<int16_t>(value);

  if (!object->contains("errors")) return Error("errors", "required");
  const json& errors = (*object)["errors"];
  if (!errors.is_array()) return Error("errors", "must be an array of error codes");
  if (errors.empty()) return Error("errors", "must not be empty");
  if (errors.size() > kMaxInjectedErrors) {
    return Error("errors", "at most " + std::to_string(kMaxInjectedErrors) + " entries");
  }
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if ((error = ReadInt(errors[i], "errors[" + std::to_string(i) + "]", kMinErrorCode,
                         kMaxErrorCode, &value))) {
      return error;
    }
    parsed.errors.push_back(static_cast<int>(value));
  }

  if (object->contains("broker") && !(*object)["broker"].is_null()) {
    if ((error = ReadInt((*object)["broker"], "broker", 1, broker_count, &value))) return error;
    parsed.broker = static_cast<int>(value);
  }
  if (object->contains("rtt_ms") && !(*object)["rtt_ms"].is_null()) {
    if ((error = ReadInt((*object)["rtt_ms"], "rtt_ms", 0, kMaxRttMs, &value))) return error;
    if (!parsed.broker) {
      return Error("rtt_ms", "only supported together with \"broker\" (per-broker error stack)");
    }
    parsed.rtt_ms = static_cast<int>(value);
  }
  *out = std::move(parsed);
  return std::nullopt;
}

std::optional<RequestError> ParseTopicCreation(std::string_view body, TopicCreation* out) {
  std::optional<RequestError> error;
  std::optional<json> object = ParseObject(body, &error);
  if (!object) return error;
  if ((error = RejectUnknownFields(*object, {"name", "partitions"}))) return error;

  TopicCreation parsed;
  if (!object->contains("name")) return Error("name", "required");
  const json& name = (*object)["name"];
  if (!name.is_string()) return Error("name", "must be a string");
  parsed.name = name.get<std::string>();
  if (std::string reason = ValidateTopicName(parsed.name); !reason.empty()) {
    return Error("name", reason);
  }

  if (!object->contains("partitions")) return Error("partitions", "required");
  long long partitions = 0;
  if ((error = ReadInt((*object)["partitions"], "partitions", 1, kMaxPartitions, &partitions))) {
    return error;
  }
  parsed.partitions = static_cast<int>(partitions);
  *out = std::move(parsed);
  return std::nullopt;
}

std::optional<RequestError> ParseBrokerId(std::string_view text, int broker_count, int* out) {
  std::optional<long long> id = ParseLongLong(text);
  if (!id) return Error("broker", "must be an integer broker id");
  if (*id < 1 || *id > broker_count) {
    return Error("broker", "no broker with id " + std::string(text) + " (ids are 1.." +
                               std::to_string(broker_count) + ")");
  }
  *out = static_cast<int>(*id);
  return std::nullopt;
}

std::optional<RequestError> ParseApiKeyParam(const std::optional<std::string>& text,
                                             int16_t* out) {
  if (!text) return Error("api_key", "query parameter required");
  std::optional<long long> key = ParseLongLong(*text);
  if (!key) return Error("api_key", "must be an integer");
  if (*key < 0 || *key > std::numeric_limits<int16_t>::max()) {
    return Error("api_key", "must be between 0 and 32767");
  }
  *out = static_cast<int16_t>(*key);
  return std::nullopt;
}

std::string ErrorResponseJson(const RequestError& error) {
  return json{{"error", error.message}, {"field", error.field}}.dump();
}

}  // namespace leadflow::devkafka
