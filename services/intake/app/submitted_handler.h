// The leads.submitted consumer: decodes each record (JSON by default,
// protobuf when header content-type is "application/x-protobuf" or
// "protobuf") and runs it through the IntakeProcessor, a consumer batch at a
// time in production (HandleBatch: one pipelined Redis request per step).
//
// Nothing is dropped and nothing crashes: an undecodable or invalid record
// becomes a LeadRejected (stage INTAKE, reason, field errors, original bytes)
// on leads.rejected and the handler returns Ok; a duplicate yields the
// engagement event; a transient Redis failure returns kUnavailable so the
// consumer loop retries the record (redelivery-safe, see IntakeProcessor).
// Thread-safe as far as the processor is.
#pragma once

#include <optional>
#include <vector>

#include "common/kafka/consumer_loop.h"
#include "common/util/clock.h"
#include "intake/app/intake_processor.h"

namespace leadflow::intake {

class SubmittedHandler {
 public:
  SubmittedHandler(IntakeProcessor& processor, const Clock& clock)
      : processor_(processor), clock_(clock) {}

  Status Handle(const kafka::ConsumedMessage& message, std::vector<kafka::OutgoingMessage>& out);
  kafka::MessageHandler Handler();

  // Handle() of a whole consumer batch with IntakeProcessor::ProcessMany: one
  // pipelined Redis request per step for the batch instead of round trips per
  // record, with the same outcome for every record.
  std::vector<kafka::HandledMessage> HandleBatch(const std::vector<kafka::ConsumedMessage>& batch);
  kafka::BatchHandler BatchHandler();

 private:
  // A parse failure as a dead letter, or the submission; and the processed
  // result as a message's status and outputs.
  std::optional<leadflow::intake::v1::LeadSubmission> Parse(
      const kafka::ConsumedMessage& message, std::vector<kafka::OutgoingMessage>& out);
  SubmissionOrigin OriginOf(const kafka::ConsumedMessage& message) const;
  Status Finish(const kafka::ConsumedMessage& message, StatusOr<IntakeResult> result,
                std::vector<kafka::OutgoingMessage>& out);

  IntakeProcessor& processor_;
  const Clock& clock_;
};

// A LeadRejected for field errors: reason = the first error's reason, detail
// lists the field paths only (no values), errors attached.
leadflow::common::v1::LeadRejected MakeFieldRejection(
    const kafka::ConsumedMessage& source,
    const std::vector<leadflow::common::v1::FieldError>& errors, const std::string& source_id,
    int64_t now_ms);

}  // namespace leadflow::intake
