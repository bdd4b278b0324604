#include "intake/app/intake_wiring.h"

#include <cstdlib>
#include <memory>

#include "common/config/proto_loader.h"
#include "common/kafka/topics.h"
#include "common/privacy/erasure_handler.h"
#include "common/ratelimit/redis_rate_limiter.h"
#include "common/registry/account_registry.h"
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
#include "intake/app/redis_account_contact_store.h"
#include "intake/app/redis_contact_index.h"
#include "intake/app/redis_idempotency_store.h"
#include "intake/app/registry_account_directory.h"
#include "intake/app/registry_feed.h"
#include "intake/app/source_access.h"
#include "intake/app/submitted_handler.h"

namespace leadflow::intake {

const runtime::ServiceInfo kIntakeInfo{
    "intake",
    "Accepts lead submissions over gRPC (IntakeService.SubmitLead), HTTP (POST /v1/leads) and "
    "the leads.submitted topic; validates, normalises and dedupes them, classifies each as "
    "CUSTOMER or PROSPECT against the accounts registry, attaches the account's buying-committee "
    "coverage, and publishes LeadAccepted on leads.accepted (and the lead's contact at its account "
    "on accounts.contacts, read back as the coverage's view). Invalid input goes to "
    "leads.rejected; repeats become FORM_RESUBMITTED "
    "engagement events. PrivacyService.EraseContact publishes privacy.erasure; the privacy "
    "consumer erases a contact's dedupe claims.",
    "Config: intake.json (leadflow.config.v1.IntakeConfig: free-mail domains, title and intent "
    "rules, limits, dedupe window, sources with hashed API keys and rate limits).\n"
    "API keys: gRPC metadata or HTTP header \"x-api-key\" (or \"authorization: Bearer\").\n"
    "  LEADFLOW_CONTACT_ID_KEY   required: secret of at least 32 bytes that keys contact ids\n"
    "                            (HMAC-SHA-256; e.g. openssl rand -hex 32; from a Secret)\n"};

namespace {

// What the APIs, views and consumers are wired to.
struct Core {
  std::shared_ptr<const IntakePolicy> policy;
  IntakeMetrics& metrics;
  registry::AccountRegistry& registry;
  IdGenerator& ids;
  const ContactIdKey& contact_ids;
  IntakeProcessor& processor;
  RedisAccountContactStore& contact_store;
  IntakeEraser& eraser;
};

// Contact ids are keyed with a secret (docs/security.md, "No oracles").
StatusOr<ContactIdKey> ContactIdKeyFromEnv() {
  const char* secret = std::getenv("LEADFLOW_CONTACT_ID_KEY");
  return ContactIdKey::Create(secret ? secret : "");
}

// The processor with its stores: dedupe claims, the registry view, the
// contact index (for erasure) and the buying-committee coverage, a view of
// accounts.contacts (docs/domain-rules.md §2, docs/state.md).
StatusOr<Core> MakeCore(runtime::ServiceRuntime& rt) {
  auto policy = config::LoadRules<config::v1::IntakeConfig>(rt.ConfigPath("intake.json"),
                                                            IntakePolicy::Create);
  if (!policy.ok()) return policy.status();
  auto& metrics = rt.Make<IntakeMetrics>(rt.metrics());
  auto& registry = rt.Make<registry::AccountRegistry>(rt.redis(), "intake");
  auto& directory = rt.Make<RegistryAccountDirectory>(registry);
  auto& store = rt.Make<RedisIdempotencyStore>(rt.redis());
  auto& ids = rt.Make<IdGenerator>();
  auto key = ContactIdKeyFromEnv();
  if (!key.ok()) return key.status();
  auto& contact_ids = rt.Make<ContactIdKey>(std::move(*key));
  auto& processor =
      rt.Make<IntakeProcessor>(*policy, store, directory, metrics, rt.clock(), ids, contact_ids);
  auto& contact_index = rt.Make<RedisContactIndex>(rt.redis());
  processor.set_contact_index(&contact_index);
  auto& contact_store = rt.Make<RedisAccountContactStore>(rt.redis());
  processor.set_contact_store(&contact_store, std::chrono::seconds(1));
  auto& eraser = rt.Make<IntakeEraser>(contact_index, contact_store, rt.producer());
  return Core{*policy, metrics, registry, ids, contact_ids, processor, contact_store, eraser};
}

// POST /v1/leads, IntakeService and PrivacyService; the synchronous APIs
// check per-source buckets in Redis, shared by every replica (docs/security.md).
Status AddApis(runtime::ServiceRuntime& rt, const Core& core) {
  auto source_access = SourceAccess::Create(
      *core.policy, std::make_unique<ratelimit::RedisRateLimiter>(rt.redis(), "intake"));
  if (!source_access.ok()) return source_access.status();
  SourceAccess& access = rt.Keep(std::move(*source_access));
  auto& http = rt.Make<HttpLeadHandler>(core.processor, rt.producer(), &access);
  auto& grpc_service = rt.Make<IntakeGrpcService>(core.processor, rt.producer(), &access);
  // Bodies up to twice the limit reach the handler and get a JSON 413.
  rt.http().SetMaxBodyBytes(2 * core.policy->max_payload_bytes());
  if (auto size = core.registry.Size(); size.ok()) {
    core.metrics.RegistrySize(static_cast<double>(*size));
  }
  rt.http().Handle("POST", "/v1/leads", http.Handler());
  rt.AddGrpcService(&grpc_service);
  rt.AddGrpcService(&rt.Make<PrivacyGrpcService>(*core.policy, access, rt.producer(), core.ids,
                                                 core.contact_ids, rt.clock()));
  return Status::Ok();
}

// The registry view (accounts.changes) and the coverage view (accounts.contacts).
Status AddViews(runtime::ServiceRuntime& rt, const Core& core) {
  registry::AccountRegistry* registry = &core.registry;
  if (Status s = rt.AddView(
          registry->view_store(), topics::kAccountsChanges,
          RegistryFeed(*registry, core.metrics, rt.clock()),
          [registry] { return registry->Size(); }, common::v1::INTAKE);
      !s.ok()) {
    return s;
  }
  RedisAccountContactStore* contacts = &core.contact_store;
  return rt.AddView(
      contacts->view_store(), topics::kAccountsContacts,
      [contacts, &clock = rt.clock()](const std::string& epoch, const kafka::ConsumedMessage& m) {
        return contacts->Apply(epoch, m, clock.NowMillis());
      },
      nullptr, common::v1::INTAKE);
}

}  // namespace

Status WireIntake(runtime::ServiceRuntime& rt) {
  auto core = MakeCore(rt);
  if (!core.ok()) return core.status();
  auto& submitted = rt.Make<SubmittedHandler>(core->processor, rt.clock());
  if (Status s = AddApis(rt, *core); !s.ok()) return s;
  if (Status s = rt.AddConsumer("privacy", {topics::kPrivacyErasure},
                                privacy::ErasureHandler(core->eraser), common::v1::INTAKE);
      !s.ok()) {
    return s;
  }
  if (Status s = AddViews(rt, *core); !s.ok()) return s;
  rt.AddBackgroundTask("coverage-gauge",
                       CoverageGaugeTask(core->contact_store, core->metrics, rt.clock()));
  return rt.AddConsumer("main", {topics::kLeadsSubmitted}, submitted.BatchHandler(),
                        common::v1::INTAKE);
}

}  // namespace leadflow::intake
