#include "common/testing/redis_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "common/testing/free_port.h"

namespace leadflow::testing {
namespace {

constexpr auto kStopTimeout = std::chrono::seconds(10);
constexpr auto kIoTimeout = std::chrono::seconds(2);

void SetError(std::string* error, const std::string& message) {
  if (error != nullptr) *error = message;
}

// A blocking loopback connection with send/receive timeouts; closes on
// destruction.
class Connection {
 public:
  explicit Connection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    timeval tv{};
    tv.tv_sec = std::chrono::duration_cast<std::chrono::seconds>(kIoTimeout).count();
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~Connection() {
    if (fd_ >= 0) close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool ok() const { return fd_ >= 0; }

  bool SendAll(const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Reads one CRLF-terminated line (without the CRLF).
  std::optional<std::string> ReadLine() {
    while (true) {
      std::size_t crlf = buffer_.find("\r\n");
      if (crlf != std::string::npos) {
        std::string line = buffer_.substr(0, crlf);
        buffer_.erase(0, crlf + 2);
        return line;
      }
      if (!Fill()) return std::nullopt;
    }
  }

  std::optional<std::string> ReadExactly(std::size_t count) {
    while (buffer_.size() < count) {
      if (!Fill()) return std::nullopt;
    }
    std::string data = buffer_.substr(0, count);
    buffer_.erase(0, count);
    return data;
  }

 private:
  bool Fill() {
    char chunk[4096];
    ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
};

std::string EncodeCommand(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& arg : args) {
    out += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
  }
  return out;
}

}  // namespace

std::unique_ptr<RedisServer> RedisServer::Start(const RedisServerOptions& options,
                                                std::string* error) {
  std::unique_ptr<RedisServer> redis(new RedisServer());
  redis->options_ = options;
  redis->dir_ = TempDir::Create("redis", error);
  if (!redis->dir_) return nullptr;
  redis->port_ = PickFreePort();
  if (redis->port_ <= 0) {
    SetError(error, "cannot pick a free port");
    return nullptr;
  }
  if (!redis->Launch(error)) return nullptr;
  return redis;
}

RedisServer::~RedisServer() {
  if (process_) process_->Kill();
}

std::string RedisServer::url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

bool RedisServer::Launch(std::string* error) {
  ChildProcessOptions process_options;
  process_options.binary = options_.binary;
  process_options.args = {"--port",       std::to_string(port_),
                          "--bind",       "127.0.0.1",
                          "--save",       "",
                          "--appendonly", options_.appendonly ? "yes" : "no",
                          "--dir",        dir_->path(),
                          "--daemonize",  "no",
                          "--logfile",    ""};
  process_options.log_dir = dir_->path();
  process_options.log_name = "redis-" + std::to_string(++launches_);
  process_ = ChildProcess::Start(process_options, error);
  if (!process_) return false;

  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  while (!Ping()) {
    if (!process_->Running()) {
      SetError(error, "redis-server exited during startup: " + process_->Describe() +
                          "\nstdout:\n" + process_->ReadStdout());
      return false;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      process_->Kill();
      SetError(error, "redis-server did not answer PING on port " + std::to_string(port_) +
                          ": " + process_->Describe() + "\nstdout:\n" + process_->ReadStdout());
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

bool RedisServer::Restart(std::string* error) {
  Stop();
  return Launch(error);
}

int RedisServer::Stop() { return process_ ? process_->Terminate(kStopTimeout) : -1; }

bool RedisServer::Ping() {
  Connection connection(port_);
  if (!connection.ok() || !connection.SendAll("PING\r\n")) return false;
  std::optional<std::string> line = connection.ReadLine();
  return line && *line == "+PONG";  // "-LOADING ..." while the AOF is replayed.
}

std::optional<std::string> RedisServer::Command(const std::vector<std::string>& args) {
  Connection connection(port_);
  if (!connection.ok() || !connection.SendAll(EncodeCommand(args))) return std::nullopt;
  std::optional<std::string> line = connection.ReadLine();
  if (!line || line->empty()) return std::nullopt;
  switch ((*line)[0]) {
    case '+':
    case ':':
      return line->substr(1);
    case '-':
      return *line;
    case '$': {
      long length = std::strtol(line->c_str() + 1, nullptr, 10);
      if (length < 0) return std::string("(nil)");
      std::optional<std::string> data =
          connection.ReadExactly(static_cast<std::size_t>(length) + 2);
      if (!data) return std::nullopt;
      return data->substr(0, static_cast<std::size_t>(length));
    }
    default:
      return *line;  // Arrays etc.: the raw first line.
  }
}

}  // namespace leadflow::testing
