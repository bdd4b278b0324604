// A nurture script as Redis runs it: the embedded .lua pieces it is made of,
// the helpers it calls first (chunks.lua, end_enrolment.lua), then its own body.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace leadflow::nurture {

inline std::string LuaScript(std::initializer_list<std::string_view> pieces) {
  std::string body;
  for (std::string_view p : pieces) body.append(p);
  return body;
}

}  // namespace leadflow::nurture
