// Which contact an EraseContact request names, and its erasure id. Pure;
// thread-safe.
//
// The contact is named by exactly one of: its contact id (c-<16 hex>), its
// email or its phone. Email and phone are normalised exactly as a submission's
// (NormalizeEmail / NormalizePhone) and turned into the contact id with the
// same ContactIdKey, so they reach the same contact as the lead did. A contact that
// gave both an email and a phone is identified by its email (see
// NormalizeSubmission); erasing it by phone alone misses it.
#pragma once

#include <string>
#include <vector>

#include "common/util/status.h"
#include "intake/domain/contact_id_key.h"
#include "leadflow/privacy/v1/privacy.pb.h"

namespace leadflow::intake {

// The contact id named by `request`, or kInvalidArgument naming the field
// (contact_id, email, phone, lead_ids). Never echoes the email or phone.
StatusOr<std::string> ErasureContactId(const leadflow::privacy::v1::EraseContactRequest& request,
                                       const ContactIdKey& contact_ids);

// "er-" + 32 hex digits. With a request_id: derived from (caller, request_id,
// contact id), so a retried call yields the same id; without: `random_hex32`.
std::string ErasureIdFor(const std::string& caller, const std::string& request_id,
                         const std::string& contact_id, const std::string& random_hex32);

}  // namespace leadflow::intake
