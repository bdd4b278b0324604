// Smooth weighted round robin (nginx's algorithm): over any window the picks
// are spread evenly and each candidate's share converges to weight / total.
//
// Per pick, among the eligible candidates only: current[c] += weight[c];
// choose the largest current (ties: the earlier candidate); current[chosen]
// -= sum of eligible weights. Ineligible reps keep their current weight, so a
// rep returning from a cap resumes where it left off.
//
// Threading: not thread-safe; the owner serialises Pick() calls (the routing
// app holds one instance per process under a mutex). State is in-process: each
// replica balances its own share of the traffic.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace leadflow::routing {

struct WrrCandidate {
  std::string id;
  int weight = 1;  // > 0
};

class SmoothWeightedRoundRobin {
 public:
  // Returns the chosen candidate's id, or "" when `candidates` is empty.
  // `pool` separates independent rotations (e.g. one per team).
  std::string Pick(const std::string& pool, const std::vector<WrrCandidate>& candidates);

 private:
  std::map<std::string, std::map<std::string, long long>> current_;
};

}  // namespace leadflow::routing
