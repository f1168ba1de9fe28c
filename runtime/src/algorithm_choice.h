#pragma once
// Algorithm::Auto: which algorithm a call runs, Direct or Winograd, decided per call on this
// machine from the tuning database's measurements of both, else from a rule measured on the
// public suite.
#include <optional>

#include <Halide.h>

#include "convgen/op_spec.h"
#include "schedules/registry.h"

namespace convgen::detail {

struct AlgorithmChoice {
    Algorithm algorithm = Algorithm::Direct;
    // Winograd's config when the database's best has a tile past kAutoLargestWinogradTile: the
    // same config in the largest tile within Auto's error bound.
    std::optional<ScheduleConfig> config;
};

// For spec (its algorithm Auto) under `schedule` on `target`; `pinned` (may be null): a config
// the caller chose, whose family decides (ValueError for a Winograd tile past Auto's bound).
AlgorithmChoice choose_algorithm(const OpSpec &spec, const schedules::Schedule &schedule, const Halide::Target &target,
                                 const ScheduleConfig *pinned);

}  // namespace convgen::detail
