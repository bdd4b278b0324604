#include "common/testing/slowloris.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace leadflow::testing {

double SlowlorisResult::max_probe_ms() const {
  return probe_ms.empty() ? 0.0 : *std::max_element(probe_ms.begin(), probe_ms.end());
}

std::string SlowlorisResult::Summary() const {
  std::string out = "readyz probes (ms):";
  for (double ms : probe_ms) out += " " + std::to_string(static_cast<int>(ms));
  out += "; probe failures " + std::to_string(probe_failures) + "; slow connections " +
         std::to_string(slow_connections) + ", ended by the server " +
         std::to_string(slow_ended_by_server);
  return out;
}

SlowlorisResult RunSlowloris(int slow_port, int probe_port, int connections,
                             std::chrono::seconds duration) {
  using Clock = std::chrono::steady_clock;
  SlowlorisResult result;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(slow_port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::vector<int> fds;
  for (int i = 0; i < connections; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) break;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      continue;
    }
    const std::string head = "POST /v1/leads HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    (void)::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
    fds.push_back(fd);
  }
  result.slow_connections = static_cast<int>(fds.size());
  std::vector<bool> ended(fds.size(), false);
  std::atomic<bool> done{false};
  std::thread trickler([&] {
    const Clock::time_point end = Clock::now() + duration;
    Clock::time_point next_line = Clock::now() + std::chrono::seconds(2);
    while (Clock::now() < end) {
      // A connection is ended once it is readable: EOF, a reset or an answer.
      std::vector<pollfd> pfds;
      std::vector<size_t> index;
      for (size_t i = 0; i < fds.size(); ++i) {
        if (ended[i]) continue;
        pfds.push_back({fds[i], POLLIN, 0});
        index.push_back(i);
      }
      ::poll(pfds.data(), pfds.size(), 100);
      for (size_t k = 0; k < pfds.size(); ++k) {
        if (pfds[k].revents != 0) ended[index[k]] = true;
      }
      if (Clock::now() < next_line) continue;
      next_line += std::chrono::seconds(2);
      for (size_t i = 0; i < fds.size(); ++i) {
        if (ended[i]) continue;
        const std::string line = "X-Slow-" + std::to_string(i) + ": 1\r\n";
        if (::send(fds[i], line.data(), line.size(), MSG_NOSIGNAL) < 0) ended[i] = true;
      }
    }
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  while (!done) {
    httplib::Client probe("127.0.0.1", probe_port);
    probe.set_connection_timeout(1);
    probe.set_read_timeout(1);
    const Clock::time_point t0 = Clock::now();
    auto res = probe.Get("/readyz");
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    result.probe_ms.push_back(res ? ms : 1000.0);
    if (!res || res->status != 200) ++result.probe_failures;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  trickler.join();
  for (size_t i = 0; i < fds.size(); ++i) {
    if (ended[i]) ++result.slow_ended_by_server;
    ::close(fds[i]);
  }
  return result;
}

}  // namespace leadflow::testing
