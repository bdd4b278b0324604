// One-pass decoding of a JSON LeadSubmission: the JSON is checked and the
// message filled in the same pass over the bytes (no DOM, no second parse).
//
// It accepts exactly what intake accepted when it ran a checking pass and
// then protobuf's JSON mapping (JsonStringToMessage, ignore_unknown_fields =
// false): RFC 8259 JSON in well-formed UTF-8 (an initial byte order mark
// skipped), a top-level object whose members are LeadSubmission fields under
// their proto name or JSON name ("source_id" or "sourceId"), null for "not
// set", enums by name or number, 64-bit integers as numbers or decimal
// strings, the timestamp as an RFC 3339 string, answers as an object of
// strings, nothing nested deeper than an answer value.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "leadflow/common/v1/domain.pb.h"
#include "leadflow/intake/v1/intake.pb.h"

namespace leadflow::intake {

// Why a JSON payload is not a LeadSubmission. The message never contains a
// submitted value (no PII); `path` is the field it names, or empty.
struct JsonReadProblem {
  leadflow::common::v1::ReasonCode reason;  // MALFORMED_PAYLOAD or UNKNOWN_SCHEMA
  std::string path;
  std::string message;
};

// Reads `json` into `*out` (which should be empty). When the payload has
// several problems the one reported is, in this order: the first syntax error
// (named after the member being read), the first value nested too deeply, a
// payload that is not an object, the problem of the alphabetically first
// member with an unknown name or a value of the wrong JSON type, and then the
// last value in document order that does not convert (an unknown enum name,
// a 64-bit integer out of range or in an unparseable string, a bad timestamp).
std::optional<JsonReadProblem> ReadSubmissionJson(std::string_view json,
                                                  leadflow::intake::v1::LeadSubmission* out);

}  // namespace leadflow::intake
