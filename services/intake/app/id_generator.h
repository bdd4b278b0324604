// Random identifiers: lead ids ("L-" + 32 hex digits) and trace/event ids.
// Seeded from std::random_device in production and from a fixed seed in tests.
// Thread-safe (one mutex around the engine).
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <string>

namespace leadflow::intake {

class IdGenerator {
 public:
  IdGenerator();                        // non-deterministic seed
  explicit IdGenerator(uint64_t seed);  // deterministic, for tests

  std::string Hex32();  // 32 lower-case hex digits (128 random bits)
  std::string NewLeadId() { return "L-" + Hex32(); }

 private:
  std::mutex mu_;
  std::mt19937_64 engine_;
};

}  // namespace leadflow::intake
