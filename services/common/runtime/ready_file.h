// Writes the ready file (LEADFLOW_READY_FILE): a small JSON document with the
// bound ports, written atomically (temp file + rename) so readers never see a
// partial file. Tests and scripts wait for it instead of sleeping.
//   {"grpc_port":..,"http_port":..,"admin_port":..,"pid":..}
// http_port is the public port (intake's POST /v1/leads), 0 when the service
// opens none; admin_port serves /metrics, /healthz and /readyz.
#pragma once

#include <string>

#include "common/util/status.h"

namespace leadflow::runtime {

Status WriteReadyFile(const std::string& path, int grpc_port, int http_port, int admin_port);

}  // namespace leadflow::runtime
