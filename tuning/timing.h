#pragma once
// Timing one candidate: the median of repeated calls, stopped early once it is clear the
// candidate cannot beat the time it has to beat.
#include <functional>

namespace convgen::tuning {

// After one untimed warm-up call: at least `min_repeats` calls and `min_seconds` of them, the
// median in ms. Returns early (the median so far, above `give_up_ms`) when the first
// `min_repeats` calls' median already exceeds it.
double candidate_median_ms(const std::function<void()> &run, double give_up_ms, double min_seconds = 0.1,
                           int min_repeats = 3);

}  // namespace convgen::tuning
