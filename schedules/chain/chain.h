#pragma once
// Schedules for a chain of convs generated as one pipeline (generator/chain.h): fused per strip
// of output rows, or a single conv with the chain's epilogue under that conv's own schedule.
#include <string>

#include <Halide.h>

#include "convgen/chain_spec.h"
#include "generator/chain.h"
#include "schedules/registry.h"

namespace convgen::schedules {

// Why the chain cannot run as one fused kernel on target; empty when it can.
std::string fusion_refusal(const ChainSpec &chain, const Halide::Target &target);

// The rule for when fusing is worth it at `threads`, where no measurement says: unless the
// chain's weights are too large to stream again for every strip, or the bands the threads take
// recompute too large a share of the image at their boundaries.
bool fusion_pays(const ChainSpec &chain, int threads);

// Sets what a fused chain's schedule chooses: each layer's channel-tiles config (the register
// tile and reduction unroll of the layer's own channel-tiles config -- tuned, pinned or the rules'
// -- else the hand schedule's rules) with its weight layout, and chain.config:
// `chosen` when given (ValueError when it cannot be honoured), else the rules' for `threads`.
// ValueError when the chain cannot be fused (fusion_refusal).
void configure_fused_chain(ChainSpec &chain, const Halide::Target &target, int threads,
                           const ChainConfig *chosen = nullptr);

// Throws ValueError naming the field when `config` cannot schedule the fused chain.
void check_chain_config(const ChainSpec &chain, const ChainConfig &config);

// Per strip when chain.config is fused; else the chain has one layer (configured for
// `layer_schedule`), scheduled by that schedule with the chain's epilogue inlined into its output.
void schedule_chain(generator::GeneratedChain &generated, const ChainSpec &chain, const Schedule &layer_schedule,
                    const Halide::Target &target);

}  // namespace convgen::schedules
