// Turns Nagle's algorithm off on every connection the mock brokers accept.
//
// librdkafka 2.0.2's mock cluster accept()s client connections and writes
// each response with its own small write, but never sets TCP_NODELAY (a real
// Kafka broker does: socket.tcp.no.delay). With Nagle on, a response written
// while an earlier one is still unacknowledged waits for the client's delayed
// ACK, about 40 ms on Linux. A producer with several produce requests in
// flight saw every third and later response arrive ~40 ms late (protocol debug:
// "rtt 0.25ms, 0.24ms, 47.3ms, 47.3ms, ..."), so a 120-message flush took
// ~50 ms instead of ~1 ms and every service hop inherited it.
//
// The mock cluster gives no hook for its sockets, so this file interposes
// accept(): librdkafka.so calls it through the PLT, and a definition in the
// executable takes precedence over libc's. It accepts through accept4() (a
// different symbol, so no recursion) and sets TCP_NODELAY on TCP sockets.
// The control server's accepted sockets get it too, which is harmless.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

// Defined by broker_socket_interposer.cc in leadflow-devkafka (which filters
// the brokers' connections); absent in this file's own unit test.
extern "C" __attribute__((weak)) void leadflow_devkafka_on_accept(int fd);

extern "C" int accept(int fd, struct sockaddr* addr, socklen_t* addrlen) {
  const int client = accept4(fd, addr, addrlen, 0);
  if (client >= 0) {
    const int one = 1;
    // Fails harmlessly (ENOTSUP/EOPNOTSUPP) on a non-TCP socket.
    (void)setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (leadflow_devkafka_on_accept != nullptr) leadflow_devkafka_on_accept(client);
  }
  return client;
}
