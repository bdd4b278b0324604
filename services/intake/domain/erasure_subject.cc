#include "intake/domain/erasure_subject.h"

#include "common/privacy/erasure.h"
#include "intake/domain/email.h"
#include "intake/domain/identity.h"
#include "intake/domain/phone.h"

namespace leadflow::intake {

namespace pv1 = leadflow::privacy::v1;

StatusOr<std::string> ErasureContactId(const pv1::EraseContactRequest& request,
                                       const ContactIdKey& contact_ids) {
  for (const auto& id : request.lead_ids()) {
    if (!privacy::IsLeadIdShaped(id)) {
      return Status::InvalidArgument("lead_ids: a lead id must be 1-64 of [A-Za-z0-9._-]");
    }
  }
  if (request.lead_ids_size() > privacy::kMaxErasureLeadIds) {
    return Status::InvalidArgument("lead_ids: at most 1000");
  }
  if (request.request_id().size() > 128) {
    return Status::InvalidArgument("request_id: at most 128 characters");
  }
  switch (request.subject_case()) {
    case pv1::EraseContactRequest::kContactId:
      if (!privacy::IsContactId(request.contact_id())) {
        return Status::InvalidArgument("contact_id: expected c- and 16 lower-case hex digits");
      }
      return request.contact_id();
    case pv1::EraseContactRequest::kEmail: {
      const std::string email = NormalizeEmail(request.email());
      if (!IsValidEmail(email)) return Status::InvalidArgument("email: not a valid email address");
      return contact_ids.ContactIdFor(email);
    }
    case pv1::EraseContactRequest::kPhone: {
      auto phone = NormalizePhone(request.phone());
      if (!phone) return Status::InvalidArgument("phone: not a valid phone number");
      return contact_ids.ContactIdFor(*phone);
    }
    default:
      return Status::InvalidArgument("one of contact_id, email or phone is required");
  }
}

std::string ErasureIdFor(const std::string& caller, const std::string& request_id,
                         const std::string& contact_id, const std::string& random_hex32) {
  if (request_id.empty()) return "er-" + random_hex32;
  std::string data = caller;
  data.push_back('\0');
  data.append(request_id);
  data.push_back('\0');
  data.append(contact_id);
  return "er-" + Hex16(Fnv1a64(data)) + Hex16(Fnv1a64(data, 0x84222325cbf29ce4ULL));
}

}  // namespace leadflow::intake
