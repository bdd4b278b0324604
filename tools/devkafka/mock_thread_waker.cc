#include "tools/devkafka/mock_thread_waker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace leadflow::devkafka {

MockThreadWaker::MockThreadWaker(std::vector<int> ports, std::chrono::milliseconds interval)
    : ports_(std::move(ports)), interval_(interval), thread_([this] { Loop(); }) {}

MockThreadWaker::~MockThreadWaker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void MockThreadWaker::Begin() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++pending_;
  }
  changed_.notify_all();
}

void MockThreadWaker::End() {
  std::lock_guard<std::mutex> lock(mutex_);
  --pending_;
}

void MockThreadWaker::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    if (pending_ == 0) {
      changed_.wait(lock, [this] { return stopping_ || pending_ > 0; });
      continue;
    }
    // Give the call a chance to complete normally first.
    changed_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_ || pending_ == 0) continue;
    lock.unlock();
    Poke();
    lock.lock();
  }
}

void MockThreadWaker::Poke() const {
  // Down brokers may refuse the connection; an up one is enough to wake the
  // single mock thread that serves all brokers.
  for (int port : ports_) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool connected = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    close(fd);
    if (connected) return;
  }
}

}  // namespace leadflow::devkafka
