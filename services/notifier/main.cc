// leadflow-notifier: composition root. Its --help text and its wiring: app/notifier_wiring.h.
// Why a binary of its own and not part of routing: docs/notifier.md, "Why its own binary".
#include <grpcpp/ext/proto_server_reflection_plugin.h>

#include "common/runtime/service_runtime.h"
#include "notifier/app/notifier_wiring.h"

int main(int argc, char** argv) {
  // The notifier serves no gRPC API of its own, but the runtime's gRPC server
  // (grpc.health.v1 for probes) cannot start without a service: server
  // reflection is that service (it lists grpc.health.v1 and itself only).
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  return leadflow::runtime::ServiceMain(leadflow::notifier::kNotifierInfo, argc, argv,
                                        leadflow::notifier::WireNotifier);
}
