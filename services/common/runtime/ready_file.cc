#include "common/runtime/ready_file.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace leadflow::runtime {

Status WriteReadyFile(const std::string& path, int grpc_port, int http_port, int admin_port) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return Status::Internal("cannot write ready file " + tmp);
    out << "{\"grpc_port\":" << grpc_port << ",\"http_port\":" << http_port
        << ",\"admin_port\":" << admin_port << ",\"pid\":" << getpid() << "}\n";
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::Internal("cannot rename ready file to " + path);
  }
  return Status::Ok();
}

}  // namespace leadflow::runtime
