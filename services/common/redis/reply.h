// A Redis reply as a plain value (no hiredis types in public headers), and the
// typed checks every store reads its replies through.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/status.h"

namespace leadflow::redis {

struct Reply {
  enum class Type { kNil, kInteger, kString, kStatus, kError, kArray };
  Type type = Type::kNil;
  int64_t integer = 0;
  std::string str;  // kString, kStatus, kError
  std::vector<Reply> elements;

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
};

// The typed checks. `what` names the command or script ("HMGET fb", "claim
// script"). Each returns the value, or Unavailable worded the same in every
// store: "redis <what>: <the error reply's text>" for an error reply, and
// "redis <what>: expected <shape>, got <shape>" for a reply of another shape.
// A store that gives an error reply a meaning of its own (REBUILDING, say)
// checks for it before calling these.
Status ExpectOk(const Reply& r, std::string_view what);  // anything but an error reply
// A pipeline's replies (Client::Pipeline) where each only has to be no error:
// the pipeline's own failure, else ExpectOk of the first error reply.
Status ExpectAllOk(const StatusOr<std::vector<Reply>>& replies, std::string_view what);
StatusOr<int64_t> ExpectInteger(const Reply& r, std::string_view what);
StatusOr<std::string> ExpectString(const Reply& r, std::string_view what);  // bulk or status
// A bulk string, or nullopt for nil (GET, HGET of a missing key or field).
StatusOr<std::optional<std::string>> ExpectStringOrNil(const Reply& r, std::string_view what);
// An array of exactly `size` elements (any size with the overload without it);
// the caller then reads r.elements.
Status ExpectArray(const Reply& r, size_t size, std::string_view what);
Status ExpectArray(const Reply& r, std::string_view what);
// A decimal integer held in a string (HGET, HMGET of a counter), or
// `if_missing` for nil or an empty string. Text that is not an integer is an
// error: a counter that cannot be read never reads as zero.
StatusOr<int64_t> ExpectDecimal(const Reply& r, std::string_view what, int64_t if_missing = 0);

// The shape of a reply, for messages: "nil", "integer", "string", "status",
// "error", "array of 3".
std::string DescribeReply(const Reply& r);

}  // namespace leadflow::redis
