// Decoding a LeadSubmission from the bytes of a leads.submitted record or an
// HTTP body, before any validation.
#pragma once

#include <string_view>

#include "common/util/status.h"
#include "leadflow/intake/v1/intake.pb.h"

namespace leadflow::intake {

enum class PayloadFormat { kJson, kProtobuf, kUnknown };

// The format named by a content-type value: empty, "json" or
// "application/json" (parameters such as "; charset=utf-8" ignored) give
// kJson; "protobuf" or "application/x-protobuf" give kProtobuf; anything else
// kUnknown.
PayloadFormat FormatFromContentType(std::string_view content_type);

// Parses `payload`. Failures are kInvalidArgument with Status::reason() set to
// a ReasonCode and a message free of submitted values (no PII):
//  - PAYLOAD_TOO_LARGE: more than max_payload_bytes (checked before parsing);
//  - UNKNOWN_SCHEMA: an unknown JSON field, unknown fields in a protobuf
//    payload, or format kUnknown;
//  - MALFORMED_PAYLOAD: empty, not JSON / not an object, wrong value types,
//    unparseable protobuf.
// JSON is read in one pass by ReadSubmissionJson (submission_json_reader.h):
// protobuf's JSON mapping (both "source_id" and "sourceId" spellings, enum
// names or numbers), unknown fields refused.
// When the failure can be pinned to one field (an unknown field, a value of
// the wrong type, an unknown enum name), `*field_path` (if given) receives its
// path, e.g. "buyer_class" or "answers"; else it is left empty.
StatusOr<leadflow::intake::v1::LeadSubmission> ParseSubmission(std::string_view payload,
                                                               PayloadFormat format,
                                                               size_t max_payload_bytes,
                                                               std::string* field_path = nullptr);

// The FieldError describing a failed ParseSubmission (its reason and message,
// and the field path when one was found).
leadflow::common::v1::FieldError ParseFailureToFieldError(const Status& status,
                                                          const std::string& field_path);

}  // namespace leadflow::intake
