// A Redis reply as a plain value (no hiredis types in public headers).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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

}  // namespace leadflow::redis
