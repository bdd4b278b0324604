#include "tools/devkafka/broker_socket_interposer.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>

namespace leadflow::devkafka {
namespace {

constexpr int kMaxFd = 65536;
constexpr int kMaxPorts = 16;

std::array<std::atomic<bool>, kMaxFd> g_tracked{};
std::array<std::atomic<int>, kMaxPorts> g_ports{};
std::atomic<int> g_port_count{0};
std::atomic<void (*)()> g_hook{nullptr};
// Never destroyed: librdkafka's threads may still close sockets during exit.
std::mutex* g_mu = new std::mutex;
std::map<int, std::unique_ptr<ProduceLimitFilter>>* g_filters =
    new std::map<int, std::unique_ptr<ProduceLimitFilter>>;
std::function<void(const RefusedBatch&)>* g_on_refused = new std::function<void(const RefusedBatch&)>;

bool Tracked(int fd) {
  return fd >= 0 && fd < kMaxFd && g_tracked[static_cast<std::size_t>(fd)].load(std::memory_order_acquire);
}

bool IsBrokerPort(int port) {
  const int n = g_port_count.load(std::memory_order_acquire);
  for (int i = 0; i < n; ++i) {
    if (g_ports[static_cast<std::size_t>(i)].load(std::memory_order_relaxed) == port) return true;
  }
  return false;
}

void Forget(int fd) {
  if (!Tracked(fd)) return;
  std::lock_guard<std::mutex> lock(*g_mu);
  g_tracked[static_cast<std::size_t>(fd)] = false;
  g_filters->erase(fd);
}

std::vector<ByteSpan> Spans(const struct msghdr* msg) {
  std::vector<ByteSpan> spans;
  spans.reserve(msg->msg_iovlen);
  for (std::size_t i = 0; i < msg->msg_iovlen; ++i) {
    spans.push_back({static_cast<char*>(msg->msg_iov[i].iov_base), msg->msg_iov[i].iov_len});
  }
  return spans;
}

}  // namespace

void FilterBrokerConnections(const std::vector<int>& ports,
                             std::function<void(const RefusedBatch&)> on_refused) {
  {
    std::lock_guard<std::mutex> lock(*g_mu);
    *g_on_refused = std::move(on_refused);
  }
  int n = 0;
  for (int port : ports) {
    if (n == kMaxPorts) break;
    g_ports[static_cast<std::size_t>(n++)] = port;
  }
  g_port_count.store(n, std::memory_order_release);
}

void SetBeforeRequestHook(void (*hook)()) { g_hook = hook; }

}  // namespace leadflow::devkafka

using leadflow::devkafka::ByteSpan;
namespace dk = leadflow::devkafka;

// Called by the accept() interposer (tcp_nodelay_accept.cc) for every
// accepted socket.
extern "C" void leadflow_devkafka_on_accept(int fd) {
  if (fd < 0 || fd >= dk::kMaxFd || dk::g_port_count.load() == 0) return;
  sockaddr_in local{};
  socklen_t len = sizeof local;
  const bool broker = getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0 &&
                      local.sin_family == AF_INET && dk::IsBrokerPort(ntohs(local.sin_port));
  std::lock_guard<std::mutex> lock(*dk::g_mu);
  if (broker) {
    (*dk::g_filters)[fd] = std::make_unique<dk::ProduceLimitFilter>(
        dk::kBrokerMessageMaxBytes, [](const dk::RefusedBatch& b) {
          if (*dk::g_on_refused) (*dk::g_on_refused)(b);
        });
  } else {
    dk::g_filters->erase(fd);
  }
  dk::g_tracked[static_cast<std::size_t>(fd)] = broker;
}

extern "C" ssize_t recvmsg(int fd, struct msghdr* msg, int flags) {
  const auto r = static_cast<ssize_t>(syscall(SYS_recvmsg, fd, msg, flags));
  if (r <= 0 || !dk::Tracked(fd)) return r;
  if (auto hook = dk::g_hook.load()) hook();
  std::lock_guard<std::mutex> lock(*dk::g_mu);
  auto it = dk::g_filters->find(fd);
  if (it == dk::g_filters->end()) return r;
  auto left = static_cast<std::size_t>(r);
  for (std::size_t i = 0; i < msg->msg_iovlen && left > 0; ++i) {
    const std::size_t n = std::min(left, msg->msg_iov[i].iov_len);
    it->second->OnRequestBytes(static_cast<char*>(msg->msg_iov[i].iov_base), n);
    left -= n;
  }
  return r;
}

extern "C" ssize_t sendmsg(int fd, const struct msghdr* msg, int flags) {
  if (!dk::Tracked(fd)) return static_cast<ssize_t>(syscall(SYS_sendmsg, fd, msg, flags));
  const std::vector<ByteSpan> spans = dk::Spans(msg);
  {
    std::lock_guard<std::mutex> lock(*dk::g_mu);
    auto it = dk::g_filters->find(fd);
    if (it != dk::g_filters->end()) it->second->PatchResponse(spans);
  }
  const auto r = static_cast<ssize_t>(syscall(SYS_sendmsg, fd, msg, flags));
  if (r > 0) {
    std::lock_guard<std::mutex> lock(*dk::g_mu);
    auto it = dk::g_filters->find(fd);
    if (it != dk::g_filters->end()) it->second->ResponseSent(spans, static_cast<std::size_t>(r));
  }
  return r;
}

extern "C" int close(int fd) {
  dk::Forget(fd);
  return static_cast<int>(syscall(SYS_close, fd));
}
