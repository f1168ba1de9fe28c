#pragma once
// The tuning database as layers see it: the best config measured on this machine class at the
// current thread count, loaded once per process and looked up per problem.
#include <cstdint>
#include <optional>
#include <string>

#include <Halide.h>

#include "convgen/op_spec.h"

namespace convgen::detail {

// The database's fastest config for spec's problem on `target`, this machine and num_threads().
std::optional<ScheduleConfig> tuned_config(const OpSpec &spec, const Halide::Target &target);

// Changes whenever the database is reloaded or replaced, so plans made before are remade.
uint64_t tuning_generation();

// Warns once per problem that its tuned record was refused (the rules are used instead).
void report_unusable_tuned_config(const OpSpec &spec, const std::string &why);

}  // namespace convgen::detail
