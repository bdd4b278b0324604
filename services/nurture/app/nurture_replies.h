// Reading nurture's replies: the shapes its stores share (an enrolment hash,
// a batch script's per-input results). Uses redis::Expect* (common/redis/reply.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/redis/reply.h"
#include "common/util/status.h"
#include "nurture/app/nurture_records.h"

namespace leadflow::nurture {

// A decimal held in a string; 0 when empty or not a number.
int64_t ToInt(const std::string& s);

// An enrolment hash (HGETALL) as a record; nullopt when it does not exist.
std::optional<EnrolmentRecord> ParseEnrolment(const std::string& enrolment_id,
                                              const redis::Reply& hash);

// One boolean (integer 1) per element of a batch script's array reply of
// `size` elements; an error element fails its own input only, a reply of
// another shape fails every one.
std::vector<StatusOr<bool>> ElementReplies(const StatusOr<redis::Reply>& reply, size_t size,
                                           std::string_view what);

// Whether an integer reply is 1 (EXISTS, SISMEMBER, a script's yes or no).
StatusOr<bool> IntegerIsOne(const StatusOr<redis::Reply>& reply, std::string_view what);

// The members of an array reply as strings (SMEMBERS, a script's id list).
StatusOr<std::vector<std::string>> Strings(const StatusOr<redis::Reply>& reply,
                                           std::string_view what);

// `n` results, all `status` (a batch whose round trip failed).
template <typename T>
std::vector<StatusOr<T>> AllFailed(size_t n, const Status& status) {
  std::vector<StatusOr<T>> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.emplace_back(status);
  return out;
}

}  // namespace leadflow::nurture
