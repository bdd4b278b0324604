// Nurture's Redis key prefix, shared by the store and the privacy eraser
// (every key shares the {nurture} hash tag; layout in nurture_store.h).
#pragma once

namespace leadflow::nurture {

inline constexpr char kNurtureKeyPrefix[] = "lf:{nurture}:";

}  // namespace leadflow::nurture
