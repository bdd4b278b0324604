#include "run_info.h"

#include <sys/utsname.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <thread>

namespace leadflow::bench {

std::string MachineLine() {
  std::string model = "unknown CPU";
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  utsname u{};
  uname(&u);
  std::string load;
  std::ifstream la("/proc/loadavg");
  std::getline(la, load);
  long mem_kb = 0;
  std::ifstream mi("/proc/meminfo");
  while (std::getline(mi, line)) {
    if (line.rfind("MemTotal:", 0) == 0) mem_kb = std::atol(line.c_str() + 9);
  }
  return model + ", " + std::to_string(std::thread::hardware_concurrency()) + " CPUs, " +
         std::to_string(mem_kb / 1024) + " MB RAM, Linux " + u.release + ", load average " +
         load.substr(0, load.find(' ', load.find(' ', load.find(' ') + 1) + 1)) + " at start";
}

std::string UtcNow() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

}  // namespace leadflow::bench
