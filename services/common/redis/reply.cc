#include "common/redis/reply.h"

#include <charconv>

namespace leadflow::redis {
namespace {

Status Mismatch(const Reply& r, std::string_view what, std::string_view expected) {
  std::string m = "redis " + std::string(what) + ": ";
  if (r.is_error()) return Status::Unavailable(m + r.str);
  return Status::Unavailable(m + "expected " + std::string(expected) + ", got " +
                             DescribeReply(r));
}

}  // namespace

std::string DescribeReply(const Reply& r) {
  switch (r.type) {
    case Reply::Type::kNil: return "nil";
    case Reply::Type::kInteger: return "integer";
    case Reply::Type::kString: return "string";
    case Reply::Type::kStatus: return "status";
    case Reply::Type::kError: return "error";
    case Reply::Type::kArray: return "array of " + std::to_string(r.elements.size());
  }
  return "unknown";
}

Status ExpectOk(const Reply& r, std::string_view what) {
  return r.is_error() ? Mismatch(r, what, "a reply") : Status::Ok();
}

Status ExpectAllOk(const StatusOr<std::vector<Reply>>& replies, std::string_view what) {
  if (!replies.ok()) return replies.status();
  for (const Reply& r : *replies) {
    if (Status s = ExpectOk(r, what); !s.ok()) return s;
  }
  return Status::Ok();
}

StatusOr<int64_t> ExpectInteger(const Reply& r, std::string_view what) {
  if (r.type != Reply::Type::kInteger) return Mismatch(r, what, "integer");
  return r.integer;
}

StatusOr<std::string> ExpectString(const Reply& r, std::string_view what) {
  if (r.type != Reply::Type::kString && r.type != Reply::Type::kStatus) {
    return Mismatch(r, what, "string");
  }
  return r.str;
}

StatusOr<std::optional<std::string>> ExpectStringOrNil(const Reply& r, std::string_view what) {
  if (r.is_nil()) return std::optional<std::string>();
  if (r.type != Reply::Type::kString) return Mismatch(r, what, "string or nil");
  return std::optional<std::string>(r.str);
}

Status ExpectArray(const Reply& r, size_t size, std::string_view what) {
  if (r.type != Reply::Type::kArray || r.elements.size() != size) {
    return Mismatch(r, what, "array of " + std::to_string(size));
  }
  return Status::Ok();
}

Status ExpectArray(const Reply& r, std::string_view what) {
  return r.type == Reply::Type::kArray ? Status::Ok() : Mismatch(r, what, "array");
}

StatusOr<int64_t> ExpectDecimal(const Reply& r, std::string_view what, int64_t if_missing) {
  if (r.type == Reply::Type::kInteger) return r.integer;
  if (r.is_nil() || (r.type == Reply::Type::kString && r.str.empty())) return if_missing;
  if (r.type != Reply::Type::kString) return Mismatch(r, what, "decimal string");
  int64_t v = 0;
  const char* end = r.str.data() + r.str.size();
  auto [ptr, ec] = std::from_chars(r.str.data(), end, v);
  if (ec != std::errc() || ptr != end) {
    return Status::Unavailable("redis " + std::string(what) + ": \"" + r.str.substr(0, 32) +
                               "\" is not an integer");
  }
  return v;
}

}  // namespace leadflow::redis
