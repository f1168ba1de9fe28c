#pragma once
// The tuning database as layers see it: the best config measured on this machine class at the
// current thread count, loaded once per process and looked up per problem.
#include <cstdint>
#include <optional>
#include <string>

#include <Halide.h>

#include "convgen/chain_spec.h"
#include "convgen/op_spec.h"

namespace convgen::detail {

// The database's fastest config for spec's problem on `target`, this machine and num_threads().
std::optional<ScheduleConfig> tuned_config(const OpSpec &spec, const Halide::Target &target);

// That config's time in ms: what the database measured it at.
std::optional<double> tuned_milliseconds(const OpSpec &spec, const Halide::Target &target);

// The database's fastest chain config (its text: "unfused" when running the block layer by layer
// measured fastest) for the chain's problem on `target`, this machine and num_threads().
std::optional<ChainConfig> tuned_chain_config(const ChainSpec &chain, const Halide::Target &target);

// Changes whenever the database is reloaded or replaced, so plans made before are remade.
uint64_t tuning_generation();

// Warns once per problem that its tuned record was refused (the rules are used instead).
void report_unusable_tuned_config(const std::string &problem, const std::string &why);

}  // namespace convgen::detail
