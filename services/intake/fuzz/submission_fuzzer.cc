// libFuzzer target: the intake parse-and-validate path on arbitrary bytes,
// read both as a JSON form event and as a protobuf LeadSubmission, with the
// shipped config/intake.json limits (max payload, string lengths). Valid
// submissions are normalised too. Any crash, sanitizer report, or broken
// invariant (abort) is a finding:
//  - a parse failure has a rejection reason and a UTF-8 message;
//  - every validation error names a field and has a reason and a message;
//  - a valid submission normalises to a non-empty account key and contact id;
//  - re-encoding a parsed submission as protobuf validates the same way;
//  - a JSON payload accepted by the one-pass reader is accepted by protobuf's
//    JSON mapping too (which intake used to run), with the same message.
// Build and run: scripts/fuzz (see --help).
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "intake/domain/intake_policy.h"
#include "intake/domain/normalization.h"
#include "intake/wire/submission_parser.h"
#include "intake/domain/text.h"
#include "intake/domain/validation.h"

namespace {

using leadflow::intake::IntakePolicy;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

std::shared_ptr<const IntakePolicy> LoadPolicy() {
  std::ifstream in(LEADFLOW_INTAKE_CONFIG);
  std::stringstream text;
  text << in.rdbuf();
  leadflow::config::v1::IntakeConfig config;
  google::protobuf::util::JsonParseOptions o;
  o.ignore_unknown_fields = false;
  if (!google::protobuf::util::JsonStringToMessage(text.str(), &config, o).ok()) {
    std::fprintf(stderr, "cannot read %s\n", LEADFLOW_INTAKE_CONFIG);
    std::abort();
  }
  auto policy = IntakePolicy::Create(config);
  if (!policy.ok()) {
    std::fprintf(stderr, "bad config: %s\n", policy.status().message().c_str());
    std::abort();
  }
  return *policy;
}

const IntakePolicy& Policy() {
  static const std::shared_ptr<const IntakePolicy> policy = LoadPolicy();
  return *policy;
}

bool IsRejectionReason(int reason) {
  return reason == leadflow::common::v1::MALFORMED_PAYLOAD ||
         reason == leadflow::common::v1::UNKNOWN_SCHEMA ||
         reason == leadflow::common::v1::PAYLOAD_TOO_LARGE;
}

size_t ValidateAndNormalize(const leadflow::intake::v1::LeadSubmission& sub) {
  const auto errors = leadflow::intake::ValidateSubmission(sub, Policy());
  for (const auto& e : errors) {
    Check(!e.field_path().empty(), "validation error without a field path");
    Check(e.reason() != leadflow::common::v1::REASON_UNSPECIFIED, "error without a reason");
    Check(!e.message().empty(), "error without a message");
    Check(leadflow::intake::IsValidUtf8(e.message()), "error message is not UTF-8");
  }
  if (errors.empty()) {
    static const auto contact_ids =
        *leadflow::intake::ContactIdKey::Create("fuzzing-contact-id-key-not-a-secret!");
    const auto n = leadflow::intake::NormalizeSubmission(sub, Policy(), contact_ids);
    Check(!n.contact_key.empty(), "valid lead without a contact key");
    Check(!n.lead.meta().account_key().empty(), "valid lead without an account key");
    Check(!n.lead.contact().contact_id().empty(), "valid lead without a contact id");
    Check(leadflow::intake::IsValidUtf8(n.lead.contact().email()), "normalised email not UTF-8");
    std::string bytes;
    Check(n.lead.SerializeToString(&bytes), "LeadAccepted does not serialise");
  }
  return errors.size();
}

void Run(std::string_view data, leadflow::intake::PayloadFormat format) {
  std::string field;
  auto parsed =
      leadflow::intake::ParseSubmission(data, format, Policy().max_payload_bytes(), &field);
  if (!parsed.ok()) {
    Check(IsRejectionReason(parsed.status().reason()), "parse failure without a rejection reason");
    Check(!parsed.status().message().empty(), "parse failure without a message");
    Check(leadflow::intake::IsValidUtf8(parsed.status().message()), "parse message is not UTF-8");
    Check(leadflow::intake::IsValidUtf8(field), "field path is not UTF-8");
    return;
  }
  if (format == leadflow::intake::PayloadFormat::kJson) {
    leadflow::intake::v1::LeadSubmission reference;
    google::protobuf::util::JsonParseOptions o;
    o.ignore_unknown_fields = false;
    Check(google::protobuf::util::JsonStringToMessage(
              google::protobuf::StringPiece(data.data(), data.size()), &reference, o)
              .ok(),
          "JSON accepted by the reader but not by protobuf's JSON mapping");
    auto mine = *parsed;
    if (std::isnan(mine.revenue_growth_pct()) && std::isnan(reference.revenue_growth_pct())) {
      mine.clear_revenue_growth_pct();
      reference.clear_revenue_growth_pct();
    }
    Check(google::protobuf::util::MessageDifferencer::Equals(mine, reference),
          "the reader and protobuf's JSON mapping read different messages");
  }
  const size_t errors = ValidateAndNormalize(*parsed);
  std::string bytes;
  if (!parsed->SerializeToString(&bytes)) return;  // e.g. invalid UTF-8 in a string field
  auto again = leadflow::intake::ParseSubmission(bytes, leadflow::intake::PayloadFormat::kProtobuf,
                                                 bytes.size());
  if (again.ok()) {
    Check(leadflow::intake::ValidateSubmission(*again, Policy()).size() == errors,
          "protobuf round trip changed the validation result");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  google::protobuf::SetLogHandler(nullptr);  // invalid UTF-8 in protobuf input is expected
  (void)Policy();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Run(input, leadflow::intake::PayloadFormat::kJson);
  Run(input, leadflow::intake::PayloadFormat::kProtobuf);
  return 0;
}
