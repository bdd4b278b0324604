// The rate-search phase (issue 21): runs RateSearch's steps, each the
// passthrough then the pipeline at one offered rate, and prints each step on
// stderr as it ends.
#pragma once

#include "phase_runner.h"
#include "rate_search.h"

namespace leadflow::bench {

// Runs the search; `index` numbers the phases of the run (each step takes
// two). A step that loses or duplicates a lead ends it with
// SearchStop::kLeadsLost.
RateSearchResult RunRateSearch(PhaseRunner& runner, const SearchSettings& settings, int& index);

}  // namespace leadflow::bench
