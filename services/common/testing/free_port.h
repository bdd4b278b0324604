// Picking free TCP ports for test servers.

#ifndef LEADFLOW_SERVICES_COMMON_TESTING_FREE_PORT_H_
#define LEADFLOW_SERVICES_COMMON_TESTING_FREE_PORT_H_

namespace leadflow::testing {

/// Returns a TCP port on 127.0.0.1 that was free at the time of the call (the
/// kernel picks it by binding port 0), or -1 on failure. Another process may
/// take it before the caller binds it; ephemeral ports are handed out
/// round-robin, so that is unlikely in practice.
int PickFreePort();

}  // namespace leadflow::testing

#endif  // LEADFLOW_SERVICES_COMMON_TESTING_FREE_PORT_H_
