#include "nurture/app/single_contact_flags.h"

#include "nurture/domain/single_contact.h"

namespace leadflow::nurture {

std::vector<SingleContactFlags::Claimed> SingleContactFlags::ClaimMany(
    const std::vector<Claim>& claims) {
  std::vector<Claimed> out(claims.size());
  if (claims.empty()) return out;
  std::vector<redis::Command> commands;
  commands.reserve(claims.size());
  for (const Claim& c : claims) {
    commands.push_back({"SET", Key(c.account_key), c.lead_id, "NX", "GET", "EX",
                        std::to_string(kSingleContactFlagSeconds)});
  }
  auto replies = redis_.Pipeline(commands);
  if (!replies.ok() || replies->size() != claims.size()) {
    const std::string why = replies.ok() ? "reply count" : replies.status().message();
    for (Claimed& c : out) c.status = Status::Unavailable("single-contact flag: " + why);
    return out;
  }
  for (size_t i = 0; i < claims.size(); ++i) {
    const redis::Reply& r = (*replies)[i];
    if (r.is_error()) {
      out[i].status = Status::Unavailable("single-contact flag: " + r.str);
    } else {
      out[i].tell = r.is_nil() || r.str == claims[i].lead_id;
    }
  }
  return out;
}

}  // namespace leadflow::nurture
