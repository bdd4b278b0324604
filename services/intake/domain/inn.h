// The Russian taxpayer number (ИНН): 10 digits for organisations, 12 for
// individuals and sole proprietors, with check digits.
#pragma once

#include <string_view>

namespace leadflow::intake {

enum class InnCheck { kValid, kBadFormat, kBadChecksum };

// kBadFormat unless exactly 10 or 12 ASCII digits. 10 digits: weights
// 2,4,10,3,5,9,4,6,8 over the first nine, (sum mod 11) mod 10 == digit 10.
// 12 digits: weights 7,2,4,10,3,5,9,4,6,8 give digit 11 and weights
// 3,7,2,4,10,3,5,9,4,6,8 over the first eleven give digit 12.
InnCheck CheckInn(std::string_view inn);

}  // namespace leadflow::intake
