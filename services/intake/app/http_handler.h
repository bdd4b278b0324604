// POST /v1/leads: a JSON (or application/x-protobuf) LeadSubmission in the
// body, run through the IntakeProcessor and published before answering.
//
//   202 {"lead_id": "L-..."}                 accepted
//   200 {"duplicate_of": "L-..."}            a repeat of an earlier submission
//   400 {"errors": [{"field", "reason", "message"}]}   malformed or invalid
//   413 {"errors": [...PAYLOAD_TOO_LARGE]}   body over max_payload_bytes
//   415 {"errors": [...UNKNOWN_SCHEMA]}      unsupported content-type (JSON is
//       also read from bodies labelled application/x-www-form-urlencoded,
//       text/plain or with no content-type, as `curl -d` sends them)
//   503 {"error": "..."}                     Redis or Kafka unavailable: retry
//
// The customer/prospect classification is deliberately not returned to
// (anonymous) web forms. Authentication (API keys) and rate limits belong to
// a later issue: they plug in as a RequestGate run before anything else.
// Thread-safe (called on the HTTP server's worker threads).
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "common/health/http_server.h"
#include "common/kafka/producer.h"
#include "intake/app/intake_processor.h"

namespace leadflow::intake {

// Returns a response to stop the request (e.g. 401, 429), or nullopt to go on.
using RequestGate =
    std::function<std::optional<health::HttpResponse>(const health::HttpRequest& request)>;

class HttpLeadHandler {
 public:
  HttpLeadHandler(IntakeProcessor& processor, kafka::Producer& producer, RequestGate gate = {},
                  std::chrono::milliseconds publish_timeout = std::chrono::seconds(10))
      : processor_(processor),
        producer_(producer),
        gate_(std::move(gate)),
        publish_timeout_(publish_timeout) {}

  health::HttpResponse Handle(const health::HttpRequest& request);
  health::HttpHandler Handler() {
    return [this](const health::HttpRequest& r) { return Handle(r); };
  }

 private:
  IntakeProcessor& processor_;
  kafka::Producer& producer_;
  RequestGate gate_;
  std::chrono::milliseconds publish_timeout_;
};

}  // namespace leadflow::intake
