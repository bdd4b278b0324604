#include "intake/domain/inn.h"

#include <array>

namespace leadflow::intake {
namespace {

template <size_t N>
int CheckDigit(std::string_view digits, const std::array<int, N>& weights) {
  int sum = 0;
  for (size_t i = 0; i < N; ++i) sum += (digits[i] - '0') * weights[i];
  return (sum % 11) % 10;
}

}  // namespace

InnCheck CheckInn(std::string_view inn) {
  if (inn.size() != 10 && inn.size() != 12) return InnCheck::kBadFormat;
  for (char c : inn) {
    if (c < '0' || c > '9') return InnCheck::kBadFormat;
  }
  if (inn.size() == 10) {
    static constexpr std::array<int, 9> kW{2, 4, 10, 3, 5, 9, 4, 6, 8};
    return CheckDigit(inn, kW) == inn[9] - '0' ? InnCheck::kValid : InnCheck::kBadChecksum;
  }
  static constexpr std::array<int, 10> kW11{7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
  static constexpr std::array<int, 11> kW12{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8};
  if (CheckDigit(inn, kW11) != inn[10] - '0') return InnCheck::kBadChecksum;
  if (CheckDigit(inn, kW12) != inn[11] - '0') return InnCheck::kBadChecksum;
  return InnCheck::kValid;
}

}  // namespace leadflow::intake
