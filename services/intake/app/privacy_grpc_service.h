// leadflow.privacy.v1.PrivacyService, served by leadflow-intake (the public
// entry point, which already authenticates callers by API key).
//
// EraseContact: authenticate (SourceAccess: API key in "x-api-key" or
// "authorization: Bearer", the source's rate limit), authorise (the source
// must have may_erase_contacts in intake.json), resolve the contact
// (ErasureContactId), then publish one ContactErasure on privacy.erasure and
// answer only once it is durable (ProduceAndWait):
//  - OK with erasure_id and contact_id;
//  - UNAUTHENTICATED (no/unknown key), RESOURCE_EXHAUSTED (rate limit),
//    PERMISSION_DENIED (the key's source may not erase), INVALID_ARGUMENT
//    naming the field, UNAVAILABLE when Kafka is down (safe to retry: with a
//    request_id the retry publishes the identical event).
// Every service applies the event asynchronously (docs/privacy.md). Logs
// the erasure id and caller only, never the email, phone or contact id.
// Thread-safe; must outlive the gRPC server.
#pragma once

#include <chrono>
#include <string>
#include <unordered_set>

#include "common/kafka/producer.h"
#include "intake/app/id_generator.h"
#include "intake/app/source_access.h"
#include "intake/domain/contact_id_key.h"
#include "intake/domain/intake_policy.h"
#include "leadflow/privacy/v1/privacy.grpc.pb.h"

namespace leadflow::intake {

class PrivacyGrpcService final : public leadflow::privacy::v1::PrivacyService::Service {
 public:
  // `access` must not be null and must outlive the service.
  PrivacyGrpcService(const IntakePolicy& policy, SourceAccess& access, kafka::Producer& producer,
                     IdGenerator& ids, const ContactIdKey& contact_ids, const Clock& clock,
                     std::chrono::milliseconds publish_timeout = std::chrono::seconds(10));

  grpc::Status EraseContact(grpc::ServerContext* context,
                            const leadflow::privacy::v1::EraseContactRequest* request,
                            leadflow::privacy::v1::EraseContactResponse* response) override;

 private:
  std::unordered_set<std::string> erasers_;  // source ids with may_erase_contacts
  SourceAccess& access_;
  kafka::Producer& producer_;
  IdGenerator& ids_;
  const ContactIdKey& contact_ids_;
  const Clock& clock_;
  std::chrono::milliseconds publish_timeout_;
};

}  // namespace leadflow::intake
