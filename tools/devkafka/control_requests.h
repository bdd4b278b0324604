// Parsing and validation of the control interface's request bodies and path /
// query parameters. Pure (JSON in, structs or a field-naming error out), so
// the HTTP layer stays thin and this part is unit testable.

#ifndef LEADFLOW_TOOLS_DEVKAFKA_CONTROL_REQUESTS_H_
#define LEADFLOW_TOOLS_DEVKAFKA_CONTROL_REQUESTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leadflow::devkafka {

/// Limits enforced on POST /errors.
inline constexpr std::size_t kMaxInjectedErrors = 10000;
inline constexpr int kMaxRttMs = 600000;
inline constexpr int kMinErrorCode = -199;  ///< librdkafka internal codes start above -200.
inline constexpr int kMaxErrorCode = 32767;

/// A rejected request: which field was wrong and why.
struct RequestError {
  std::string field;    ///< e.g. "api_key", "errors[1]", "body".
  std::string message;  ///< Human readable, includes the field name.
};

/// POST /errors body: {"api_key":0,"errors":[6,6],"broker":2,"rtt_ms":100}.
struct ErrorInjection {
  int16_t api_key = 0;
  std::vector<int> errors;    ///< Kafka / librdkafka error codes, 0 = no error.
  std::optional<int> broker;  ///< Absent: cluster-wide error stack.
  std::optional<int> rtt_ms;  ///< Only allowed with `broker`.
};

/// POST /topics body: {"name":"t","partitions":3}.
struct TopicCreation {
  std::string name;
  int partitions = 0;
};

/// Parses a POST /errors body. `broker_count` bounds the optional broker id
/// (ids are 1..broker_count). Returns std::nullopt and fills `*out` on
/// success. Unknown fields are rejected to catch typos.
std::optional<RequestError> ParseErrorInjection(std::string_view body, int broker_count,
                                                ErrorInjection* out);

/// Parses a POST /topics body. Returns std::nullopt and fills `*out` on
/// success.
std::optional<RequestError> ParseTopicCreation(std::string_view body, TopicCreation* out);

/// Parses the <id> path segment of /brokers/<id>/{up,down}; ids are
/// 1..broker_count. Errors name the field "broker".
std::optional<RequestError> ParseBrokerId(std::string_view text, int broker_count, int* out);

/// Parses the api_key query parameter of DELETE /errors; `text` is nullopt if
/// the parameter is missing. Errors name the field "api_key".
std::optional<RequestError> ParseApiKeyParam(const std::optional<std::string>& text,
                                             int16_t* out);

/// JSON body for an error response: {"error":"<message>","field":"<field>"}.
std::string ErrorResponseJson(const RequestError& error);

}  // namespace leadflow::devkafka

#endif  // LEADFLOW_TOOLS_DEVKAFKA_CONTROL_REQUESTS_H_
