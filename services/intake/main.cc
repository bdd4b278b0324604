// leadflow-intake: composition root.
#include <cstdlib>
#include <memory>

#include "common/config/proto_loader.h"
#include "common/kafka/topics.h"
#include "common/privacy/erasure_handler.h"
#include "common/ratelimit/redis_rate_limiter.h"
#include "common/registry/account_registry.h"
#include "common/runtime/service_runtime.h"
#include "intake/app/account_contact_store.h"
#include "intake/app/account_directory.h"
#include "intake/app/contact_index.h"
#include "intake/app/coverage_gauge.h"
#include "intake/app/grpc_service.h"
#include "intake/app/http_handler.h"
#include "intake/app/id_generator.h"
#include "intake/app/idempotency_store.h"
#include "intake/app/intake_eraser.h"
#include "intake/app/intake_metrics.h"
#include "intake/app/intake_processor.h"
#include "intake/app/privacy_grpc_service.h"
#include "intake/app/registry_feed.h"
#include "intake/app/source_access.h"
#include "intake/app/submitted_handler.h"

namespace {

const leadflow::runtime::ServiceInfo kInfo{
    "intake",
    "Accepts lead submissions over gRPC (IntakeService.SubmitLead), HTTP (POST /v1/leads) and "
    "the leads.submitted topic; validates, normalises and dedupes them, classifies each as "
    "CUSTOMER or PROSPECT against the accounts registry, attaches the account's buying-committee "
    "coverage, and publishes LeadAccepted on leads.accepted (and the lead's contact at its account "
    "on accounts.contacts, read back as the coverage's view). Invalid input goes to leads.rejected; repeats become FORM_RESUBMITTED "
    "engagement events. PrivacyService.EraseContact publishes privacy.erasure; the privacy "
    "consumer erases a contact's dedupe claims.",
    "Config: intake.json (leadflow.config.v1.IntakeConfig: free-mail domains, title and intent "
    "rules, limits, dedupe window, sources with hashed API keys and rate limits).\n"
    "API keys: gRPC metadata or HTTP header \"x-api-key\" (or \"authorization: Bearer\").\n"
    "  LEADFLOW_CONTACT_ID_KEY   required: secret of at least 32 bytes that keys contact ids\n"
    "                            (HMAC-SHA-256; e.g. openssl rand -hex 32; from a Secret)\n"};

}  // namespace

int main(int argc, char** argv) {
  using namespace leadflow;
  using namespace leadflow::intake;
  // Owned here so they outlive rt.Run() (called by ServiceMain after wiring).
  std::unique_ptr<IntakeMetrics> metrics;
  std::unique_ptr<registry::AccountRegistry> registry;
  std::unique_ptr<RegistryAccountDirectory> directory;
  std::unique_ptr<RedisIdempotencyStore> store;
  std::unique_ptr<IdGenerator> ids;
  std::unique_ptr<ContactIdKey> contact_ids;
  std::unique_ptr<IntakeProcessor> processor;
  std::unique_ptr<SourceAccess> access;
  std::unique_ptr<SubmittedHandler> submitted;
  std::unique_ptr<HttpLeadHandler> http;
  std::unique_ptr<IntakeGrpcService> grpc_service;
  std::unique_ptr<RedisContactIndex> contact_index;
  std::unique_ptr<PrivacyGrpcService> privacy_service;
  std::unique_ptr<RedisAccountContactStore> contact_store;
  std::unique_ptr<IntakeEraser> eraser;
  return runtime::ServiceMain(kInfo, argc, argv, [&](runtime::ServiceRuntime& rt) -> Status {
    auto policy = config::LoadRules<config::v1::IntakeConfig>(rt.ConfigPath("intake.json"),
                                                              IntakePolicy::Create);
    if (!policy.ok()) return policy.status();

    metrics = std::make_unique<IntakeMetrics>(rt.metrics());
    registry = std::make_unique<registry::AccountRegistry>(rt.redis(), "intake");
    directory = std::make_unique<RegistryAccountDirectory>(*registry);
    store = std::make_unique<RedisIdempotencyStore>(rt.redis());
    ids = std::make_unique<IdGenerator>();
    // Contact ids are keyed with a secret (docs/security.md, "No oracles").
    const char* contact_id_secret = std::getenv("LEADFLOW_CONTACT_ID_KEY");
    auto key = ContactIdKey::Create(contact_id_secret ? contact_id_secret : "");
    if (!key.ok()) return key.status();
    contact_ids = std::make_unique<ContactIdKey>(std::move(*key));
    processor = std::make_unique<IntakeProcessor>(*policy, *store, *directory, *metrics,
                                                  rt.clock(), *ids, *contact_ids);
    contact_index = std::make_unique<RedisContactIndex>(rt.redis());
    processor->set_contact_index(contact_index.get());
    // Buying-committee coverage: a view of accounts.contacts (docs/domain-rules.md §2,
    // docs/state.md).
    contact_store = std::make_unique<RedisAccountContactStore>(rt.redis());
    processor->set_contact_store(contact_store.get(), std::chrono::seconds(1));
    eraser = std::make_unique<IntakeEraser>(*contact_index, *contact_store, rt.producer());
    // Per-source buckets in Redis, shared by every replica (docs/security.md).
    auto source_access = SourceAccess::Create(
        **policy, std::make_unique<ratelimit::RedisRateLimiter>(rt.redis(), "intake"));
    if (!source_access.ok()) return source_access.status();
    access = std::move(*source_access);
    submitted = std::make_unique<SubmittedHandler>(*processor, rt.clock());
    http = std::make_unique<HttpLeadHandler>(*processor, rt.producer(), access.get());
    grpc_service = std::make_unique<IntakeGrpcService>(*processor, rt.producer(), access.get());

    // Bodies up to twice the limit reach the handler and get a JSON 413.
    rt.http().SetMaxBodyBytes(2 * (*policy)->max_payload_bytes());
    if (auto size = registry->Size(); size.ok()) metrics->RegistrySize(static_cast<double>(*size));
    rt.http().Handle("POST", "/v1/leads", http->Handler());
    rt.AddGrpcService(grpc_service.get());
    privacy_service = std::make_unique<PrivacyGrpcService>(**policy, *access, rt.producer(), *ids,
                                                           *contact_ids, rt.clock());
    rt.AddGrpcService(privacy_service.get());
    if (Status s = rt.AddConsumer("privacy", {topics::kPrivacyErasure},
                                  privacy::ErasureHandler(*eraser), intake::v1::INTAKE);
        !s.ok()) {
      return s;
    }
    if (Status s = rt.AddView(registry->view_store(), topics::kAccountsChanges,
                              RegistryFeed(*registry, *metrics, rt.clock()),
                              [r = registry.get()] { return r->Size(); }, intake::v1::INTAKE);
        !s.ok()) {
      return s;
    }
    if (Status s = rt.AddView(
            contact_store->view_store(), topics::kAccountsContacts,
            [c = contact_store.get(), &clock = rt.clock()](const std::string& epoch,
                                                           const kafka::ConsumedMessage& m) {
              return c->Apply(epoch, m, clock.NowMillis());
            },
            nullptr, intake::v1::INTAKE);
        !s.ok()) {
      return s;
    }
    rt.AddBackgroundTask("coverage-gauge", CoverageGaugeTask(*contact_store, *metrics, rt.clock()));
    return rt.AddConsumer("main", {topics::kLeadsSubmitted}, submitted->BatchHandler(),
                          intake::v1::INTAKE);
  });
}
