#include "intake/domain/validation.h"

#include <cmath>
#include <string>
#include <unordered_set>

#include "intake/domain/email.h"
#include "intake/domain/inn.h"
#include "intake/domain/phone.h"
#include "intake/domain/text.h"

namespace leadflow::intake {
namespace {

using leadflow::common::v1::ReasonCode;
using leadflow::common::v1::FieldError;
using leadflow::intake::v1::LeadSubmission;
namespace pb = google::protobuf;

class Errors {
 public:
  void Add(std::string path, ReasonCode reason, std::string message) {
    FieldError e;
    e.set_field_path(std::move(path));
    e.set_reason(reason);
    e.set_message(std::move(message));
    list_.push_back(std::move(e));
  }
  // True when the string is usable (valid UTF-8 and within the length limit).
  bool CheckString(const std::string& path, const std::string& value, size_t max_len) {
    if (!IsValidUtf8(value)) {
      Add(path, leadflow::common::v1::INVALID_FIELD, "must be valid UTF-8");
      return false;
    }
    if (CodePointCount(value) > max_len) {
      Add(path, leadflow::common::v1::INVALID_FIELD,
          "longer than " + std::to_string(max_len) + " characters");
      return false;
    }
    return true;
  }
  std::vector<FieldError> Take() { return std::move(list_); }

 private:
  std::vector<FieldError> list_;
};

// A printable field path for a map key: the key itself when it is short and
// valid, else the map's name alone.
std::string AnswerPath(const std::string& key) {
  if (!key.empty() && key.size() <= 64 && IsValidUtf8(key)) return "answers." + key;
  return "answers";
}

// Every singular string field, found by reflection so that new fields are
// covered too, and the answers: valid UTF-8 within the length limit. Returns
// the fields that are unusable, so that they pile up no further errors.
std::unordered_set<std::string> CheckStrings(const LeadSubmission& lead, size_t max_len,
                                             Errors& errors) {
  std::unordered_set<std::string> unusable;
  const pb::Descriptor* desc = lead.GetDescriptor();
  const pb::Reflection* refl = lead.GetReflection();
  std::string scratch;  // GetStringReference returns the field itself, without a copy
  for (int i = 0; i < desc->field_count(); ++i) {
    const pb::FieldDescriptor* f = desc->field(i);
    if (f->is_repeated() || f->cpp_type() != pb::FieldDescriptor::CPPTYPE_STRING) continue;
    if (!errors.CheckString(f->name(), refl->GetStringReference(lead, f, &scratch), max_len)) {
      unusable.insert(f->name());
    }
  }
  for (const auto& [key, value] : lead.answers()) {
    const std::string path = AnswerPath(key);
    if (errors.CheckString(path, key, max_len)) errors.CheckString(path, value, max_len);
  }
  return unusable;
}

// Who sent it and how to reach the contact, who consented.
void CheckContact(const LeadSubmission& lead, const std::unordered_set<std::string>& unusable,
                  Errors& errors) {
  if (TrimAscii(lead.source_id()).empty() && !unusable.count("source_id")) {
    errors.Add("source_id", leadflow::common::v1::MISSING_FIELD, "source_id is required");
  }
  const bool has_email = !TrimAscii(lead.email()).empty();
  const bool has_phone = !TrimAscii(lead.phone()).empty();
  if (!has_email && !has_phone && !unusable.count("email") && !unusable.count("phone")) {
    errors.Add("email", leadflow::common::v1::MISSING_FIELD, "email or phone is required");
  }
  if (has_email && !unusable.count("email") && !IsValidEmail(NormalizeEmail(lead.email()))) {
    errors.Add("email", leadflow::common::v1::INVALID_FIELD, "not a valid email address");
  }
  if (has_phone && !unusable.count("phone") && !NormalizePhone(lead.phone())) {
    errors.Add("phone", leadflow::common::v1::INVALID_FIELD,
               "not a phone number that can be normalised to E.164");
  }
  if (!lead.consent()) {
    errors.Add("consent", leadflow::common::v1::CONSENT_MISSING, "consent must be given");
  }
}

// The company's INN, the campaign id and the buyer enums.
void CheckCompany(const LeadSubmission& lead, const std::unordered_set<std::string>& unusable,
                  Errors& errors) {
  const std::string_view inn = TrimAscii(lead.inn());
  if (!inn.empty() && !unusable.count("inn")) {
    switch (CheckInn(inn)) {
      case InnCheck::kBadFormat:
        errors.Add("inn", leadflow::common::v1::INVALID_FIELD, "INN must be 10 or 12 digits");
        break;
      case InnCheck::kBadChecksum:
        errors.Add("inn", leadflow::common::v1::INVALID_FIELD, "INN check digit mismatch");
        break;
      case InnCheck::kValid:
        break;
    }
  }
  // campaign_id becomes LeadMeta.campaign_id (intake_policy.h CampaignFor);
  // a control character in it is malformed input, not an unknown campaign.
  if (!unusable.count("campaign_id") && HasControlCharacter(TrimAscii(lead.campaign_id()))) {
    errors.Add("campaign_id", leadflow::common::v1::INVALID_FIELD,
               "must not contain control characters");
  }
  if (!leadflow::common::v1::BuyerClass_IsValid(lead.buyer_class())) {
    errors.Add("buyer_class", leadflow::common::v1::INVALID_FIELD, "unknown buyer class");
  }
  if (!leadflow::common::v1::DecisionRole_IsValid(lead.decision_role())) {
    errors.Add("decision_role", leadflow::common::v1::INVALID_FIELD, "unknown decision role");
  }
}

// Amounts are never negative, the growth is a number, the time a real one.
void CheckNumbers(const LeadSubmission& lead, Errors& errors) {
  const std::pair<const char*, int64_t> amounts[] = {
      {"headcount", lead.headcount()},
      {"annual_revenue_rub", lead.annual_revenue_rub()},
      {"it_budget_rub", lead.it_budget_rub()},
      {"digitalisation_budget_rub", lead.digitalisation_budget_rub()},
      {"ict_budget_rub", lead.ict_budget_rub()},
      {"expected_deal_rub", lead.expected_deal_rub()},
  };
  for (const auto& [name, value] : amounts) {
    if (value < 0) errors.Add(name, leadflow::common::v1::INVALID_FIELD, "must not be negative");
  }
  if (!std::isfinite(lead.revenue_growth_pct())) {
    errors.Add("revenue_growth_pct", leadflow::common::v1::INVALID_FIELD, "must be a number");
  }
  if (lead.has_submitted_at()) {
    const auto& ts = lead.submitted_at();
    // 0001-01-01 .. 9999-12-31, as google.protobuf.Timestamp defines.
    if (ts.seconds() < -62135596800LL || ts.seconds() > 253402300799LL || ts.nanos() < 0 ||
        ts.nanos() > 999999999) {
      errors.Add("submitted_at", leadflow::common::v1::INVALID_FIELD, "not a valid timestamp");
    }
  }
}

}  // namespace

std::vector<FieldError> ValidateSubmission(const LeadSubmission& lead, const IntakePolicy& policy) {
  Errors errors;
  const auto unusable = CheckStrings(lead, policy.max_string_length(), errors);
  CheckContact(lead, unusable, errors);
  CheckCompany(lead, unusable, errors);
  CheckNumbers(lead, errors);
  return errors.Take();
}

}  // namespace leadflow::intake
