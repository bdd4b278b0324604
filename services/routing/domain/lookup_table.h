// A value per enum value written as one table rather than a switch of
// returns: a label, a name, the state an answer leads to.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

namespace leadflow::routing {

// The value `table` pairs with `key`; `otherwise` when it has none.
template <typename K, typename V, size_t N>
constexpr V Lookup(K key, const std::pair<K, V> (&table)[N], std::type_identity_t<V> otherwise) {
  for (const auto& [k, v] : table) {
    if (k == key) return v;
  }
  return otherwise;
}

}  // namespace leadflow::routing
