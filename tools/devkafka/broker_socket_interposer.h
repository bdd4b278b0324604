// Filters the bytes of every client connection of the mock brokers.
//
// librdkafka's mock cluster gives no hook into its connections, so devkafka
// interposes the libc calls librdkafka.so makes through its PLT (as
// tcp_nodelay_accept.cc does for accept()): a connection accepted on a broker
// port gets a ProduceLimitFilter; recvmsg() feeds it the request bytes the
// mock reads and sendmsg() lets it patch the response bytes the mock writes;
// close() forgets the connection. Other sockets pass through untouched.
#ifndef LEADFLOW_TOOLS_DEVKAFKA_BROKER_SOCKET_INTERPOSER_H_
#define LEADFLOW_TOOLS_DEVKAFKA_BROKER_SOCKET_INTERPOSER_H_

#include <functional>
#include <vector>

#include "tools/devkafka/produce_limit_filter.h"

namespace leadflow::devkafka {

/// From now on, filters connections accepted on these 127.0.0.1 ports (the
/// brokers' listeners). `on_refused` is called (on the mock thread) for each
/// refused batch. Call once, before clients connect.
void FilterBrokerConnections(const std::vector<int>& ports,
                             std::function<void(const RefusedBatch&)> on_refused);

/// Called on the mock thread whenever it has read request bytes, before it
/// handles them (devkafka turns retention off for auto-created topics there).
void SetBeforeRequestHook(void (*hook)());

}  // namespace leadflow::devkafka

#endif  // LEADFLOW_TOOLS_DEVKAFKA_BROKER_SOCKET_INTERPOSER_H_
