#include "intake/domain/identity.h"

namespace leadflow::intake {
namespace {

// A second, independent 64-bit lane for 128-bit keys.
constexpr uint64_t kSecondLaneBasis = 0x84222325cbf29ce4ULL;

std::string Hash128(std::string_view prefix, const std::string& data) {
  return std::string(prefix) + Hex16(Fnv1a64(data)) + Hex16(Fnv1a64(data, kSecondLaneBasis));
}

}  // namespace

uint64_t Fnv1a64(std::string_view data, uint64_t basis) {
  uint64_t h = basis;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

std::string Hex16(uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kDigits[v & 0xF];
    v >>= 4;
  }
  return out;
}

std::string ClientIdempotencyKey(std::string_view source_id, std::string_view client_key) {
  std::string data(source_id);
  data.push_back('\0');
  data.append(client_key);
  return Hash128("k-", data);
}

std::string DerivedIdempotencyKey(std::string_view contact_key, std::string_view source_id,
                                  int64_t submitted_unix_seconds, int64_t window_seconds) {
  const int64_t w = window_seconds > 0 ? window_seconds : 1;
  int64_t bucket = submitted_unix_seconds / w;
  if (submitted_unix_seconds < 0 && submitted_unix_seconds % w != 0) --bucket;
  std::string data(contact_key);
  data.push_back('\0');
  data.append(source_id);
  data.push_back('\0');
  data.append(std::to_string(bucket));
  return Hash128("d-", data);
}

}  // namespace leadflow::intake
