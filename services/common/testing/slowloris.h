// A bounded slowloris for tests (loopback only): many connections that send a
// request line and then one header line every 2 s, never finishing the
// request, while /readyz is probed on another (or the same) port. Used to show
// that probes stay fast and that the server ends slow clients
// (docs/operating.md, "Ports"). Blocking; call from one thread.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace leadflow::testing {

struct SlowlorisResult {
  std::vector<double> probe_ms;  // latency of each /readyz probe (a timeout counts 1000)
  int probe_failures = 0;        // probes without a 200 within 1 s
  int slow_connections = 0;      // connections opened
  int slow_ended_by_server = 0;  // of those, ended (closed or answered) by the server
  double max_probe_ms() const;
  // One line for failure messages.
  std::string Summary() const;
};

// Opens `connections` TCP connections to 127.0.0.1:`slow_port` and trickles
// them for `duration`; meanwhile GETs /readyz on 127.0.0.1:`probe_port` every
// 250 ms (after the first 500 ms) with a 1 s timeout. Closes every connection
// before returning.
SlowlorisResult RunSlowloris(int slow_port, int probe_port, int connections,
                             std::chrono::seconds duration);

}  // namespace leadflow::testing
