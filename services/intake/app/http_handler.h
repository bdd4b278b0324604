// POST /v1/leads: a JSON (or application/x-protobuf) LeadSubmission in the
// body, run through the IntakeProcessor and published before answering.
//
//   202 {"lead_id": "L-..."}                 accepted, or a repeat: answered
//       alike (the client's own idempotency key gets the original id back,
//       any other repeat an id of its own; docs/security.md, "No oracles")
//   400 {"errors": [{"field", "reason", "message"}]}   malformed or invalid
//   401 {"errors": [...UNAUTHENTICATED]}     missing or unknown API key
//       (header "x-api-key", or "authorization: Bearer <key>")
//   403 {"errors": [{"field":"source_id"...}]}  the key belongs to another source
//   429 {"errors": [...RATE_LIMITED]}        the source's rate limit is exhausted
//   413 {"errors": [...PAYLOAD_TOO_LARGE]}   body over max_payload_bytes
//   415 {"errors": [...UNKNOWN_SCHEMA]}      unsupported content-type (JSON is
//       also read from bodies labelled application/x-www-form-urlencoded,
//       text/plain or with no content-type, as `curl -d` sends them)
//   503 {"error": "..."}                     Redis or Kafka unavailable: retry
//
// The customer/prospect classification is deliberately not returned to web
// forms. API key and rate limit are checked (SourceAccess) before the body is
// even parsed; a null SourceAccess (unit tests only) admits everything.
// Thread-safe (called on the HTTP server's worker threads).
#pragma once

#include <chrono>

#include "common/health/http_server.h"
#include "common/kafka/producer.h"
#include "intake/app/intake_processor.h"
#include "intake/app/source_access.h"
#include "intake/app/synchronous_intake.h"

namespace leadflow::intake {

class HttpLeadHandler {
 public:
  // `access` may be null (no authentication); it must outlive the handler.
  HttpLeadHandler(IntakeProcessor& processor, kafka::Producer& producer, SourceAccess* access,
                  std::chrono::milliseconds publish_timeout = std::chrono::seconds(10))
      : intake_(processor, producer, access, publish_timeout) {}

  health::HttpResponse Handle(const health::HttpRequest& request);
  health::HttpHandler Handler() {
    return [this](const health::HttpRequest& r) { return Handle(r); };
  }

 private:
  SynchronousIntake intake_;
};

}  // namespace leadflow::intake
