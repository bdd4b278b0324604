#include "intake/app/submitted_handler.h"

#include "common/kafka/dead_letter.h"
#include "common/kafka/topics.h"
#include "intake/wire/submission_parser.h"

namespace leadflow::intake {

using leadflow::common::v1::FieldError;
using leadflow::common::v1::LeadRejected;

LeadRejected MakeFieldRejection(const kafka::ConsumedMessage& source,
                                const std::vector<FieldError>& errors, const std::string& source_id,
                                int64_t now_ms) {
  const auto reason =
      errors.empty() ? leadflow::common::v1::INVALID_FIELD : errors.front().reason();
  std::string detail = std::to_string(errors.size()) + " field error(s):";
  for (const auto& e : errors) detail += " " + e.field_path();
  LeadRejected r =
      kafka::MakeRejection(source, leadflow::common::v1::INTAKE, reason, detail, now_ms);
  for (const auto& e : errors) *r.add_errors() = e;
  if (!source_id.empty()) r.mutable_meta()->set_source_id(source_id);
  return r;
}

std::optional<leadflow::intake::v1::LeadSubmission> SubmittedHandler::Parse(
    const kafka::ConsumedMessage& message, std::vector<kafka::OutgoingMessage>& out) {
  const auto content_type = message.FindHeader(topics::kContentTypeHeader);
  const PayloadFormat format = FormatFromContentType(content_type.value_or(""));
  std::string bad_field;
  auto parsed =
      ParseSubmission(message.payload, format, processor_.policy().max_payload_bytes(), &bad_field);
  if (parsed.ok()) return std::move(*parsed);
  const auto reason = static_cast<leadflow::common::v1::ReasonCode>(parsed.status().reason());
  processor_.CountUnparseable(reason);
  LeadRejected r = kafka::MakeRejection(message, leadflow::common::v1::INTAKE, reason,
                                        parsed.status().message(), clock_.NowMillis());
  *r.add_errors() = ParseFailureToFieldError(parsed.status(), bad_field);
  out.push_back(kafka::ToDeadLetterMessage(r));
  return std::nullopt;
}

SubmissionOrigin SubmittedHandler::OriginOf(const kafka::ConsumedMessage& message) const {
  SubmissionOrigin origin;
  origin.redelivery_token = message.topic + "/" + std::to_string(message.partition) + "/" +
                            std::to_string(message.offset);
  origin.trace_id = std::string(message.FindHeader(topics::kTraceHeader).value_or(""));
  origin.received_at_ms = message.timestamp_ms > 0 ? message.timestamp_ms : clock_.NowMillis();
  return origin;
}

Status SubmittedHandler::Finish(const kafka::ConsumedMessage& message,
                                StatusOr<IntakeResult> result,
                                std::vector<kafka::OutgoingMessage>& out) {
  if (!result.ok()) return result.status();
  if (result->outcome == IntakeOutcome::kRejected) {
    out.push_back(kafka::ToDeadLetterMessage(
        MakeFieldRejection(message, result->errors, result->source_id, clock_.NowMillis())));
    return Status::Ok();
  }
  for (auto& m : result->messages) out.push_back(std::move(m));
  return Status::Ok();
}

Status SubmittedHandler::Handle(const kafka::ConsumedMessage& message,
                                std::vector<kafka::OutgoingMessage>& out) {
  auto submission = Parse(message, out);
  if (!submission) return Status::Ok();
  return Finish(message, processor_.Process(*submission, OriginOf(message)), out);
}

std::vector<kafka::HandledMessage> SubmittedHandler::HandleBatch(
    const std::vector<kafka::ConsumedMessage>& batch) {
  std::vector<kafka::HandledMessage> handled(batch.size());
  std::vector<leadflow::intake::v1::LeadSubmission> submissions;
  submissions.reserve(batch.size());  // stable addresses for the inputs below
  std::vector<IntakeProcessor::Input> inputs;
  std::vector<size_t> message_of;  // batch index of each input
  for (size_t i = 0; i < batch.size(); ++i) {
    auto submission = Parse(batch[i], handled[i].out);
    if (!submission) continue;
    submissions.push_back(std::move(*submission));
    inputs.push_back({&submissions.back(), OriginOf(batch[i])});
    message_of.push_back(i);
  }
  auto results = processor_.ProcessMany(inputs);
  for (size_t k = 0; k < results.size(); ++k) {
    const size_t i = message_of[k];
    handled[i].status = Finish(batch[i], std::move(results[k]), handled[i].out);
  }
  return handled;
}

kafka::MessageHandler SubmittedHandler::Handler() {
  return [this](const kafka::ConsumedMessage& m, std::vector<kafka::OutgoingMessage>& out) {
    return Handle(m, out);
  };
}

kafka::BatchHandler SubmittedHandler::BatchHandler() {
  return [this](const std::vector<kafka::ConsumedMessage>& batch) { return HandleBatch(batch); };
}

}  // namespace leadflow::intake
