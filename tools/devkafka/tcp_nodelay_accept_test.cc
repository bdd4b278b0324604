// The interposed accept() (tcp_nodelay_accept.cc, linked into this test as
// into leadflow-devkafka) turns Nagle off on accepted TCP sockets, which a
// plain accept4() does not.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// A loopback listener plus a connected client; the accepting is left to the test.
struct Loopback {
  int listener = -1;
  int client = -1;
  Loopback() {
    listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(listener, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(listener, 4) != 0 ||
        getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    client = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(client, reinterpret_cast<sockaddr*>(&addr), len) != 0) client = -1;
  }
  ~Loopback() {
    if (client >= 0) close(client);
    if (listener >= 0) close(listener);
  }
};

int NoDelayOf(int fd) {
  int value = -1;
  socklen_t len = sizeof value;
  if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, &len) != 0) return -1;
  return value;
}

TEST(TcpNoDelayAccept, AcceptedSocketsHaveNagleOff) {
  Loopback lo;
  ASSERT_GE(lo.client, 0);
  const int accepted = accept(lo.listener, nullptr, nullptr);
  ASSERT_GE(accepted, 0);
  EXPECT_NE(NoDelayOf(accepted), 0);
  close(accepted);
}

TEST(TcpNoDelayAccept, WithoutTheInterposerNagleIsOn) {
  Loopback lo;
  ASSERT_GE(lo.client, 0);
  const int accepted = accept4(lo.listener, nullptr, nullptr, 0);
  ASSERT_GE(accepted, 0);
  EXPECT_EQ(NoDelayOf(accepted), 0);  // the kernel default the mock cluster kept
  close(accepted);
}

}  // namespace
