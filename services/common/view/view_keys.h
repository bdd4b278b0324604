// Redis key names of a materialised view's bookkeeping (see topic_view.h).
// Both keys carry the namespace's hash tag, like the view's data, so a script
// can update data and position together on one Redis Cluster slot.
//
//   lf:{<ns>}:view:<name>:pos    hash: "epoch" -> this build's id; "p<N>" -> the
//                                next offset of partition N to apply
//   lf:{<ns>}:view:<name>:ready  the epoch, set once the view has caught up with
//                                the topic as it was when the build began
#pragma once

#include <cstdint>
#include <string>

namespace leadflow::view {

struct ViewKeys {
  std::string ns;    // the service's namespace, e.g. "intake"
  std::string name;  // the view, e.g. "accounts"
  std::string pos;
  std::string ready;

  static ViewKeys For(const std::string& ns, const std::string& name) {
    const std::string prefix = "lf:{" + ns + "}:view:" + name + ":";
    return ViewKeys{ns, name, prefix + "pos", prefix + "ready"};
  }
  static std::string PartitionField(int32_t partition) { return "p" + std::to_string(partition); }
};

}  // namespace leadflow::view
