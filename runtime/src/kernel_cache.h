#pragma once
// Compiled kernels, one per (OpSpec, target, schedule): generated, scheduled and JIT-compiled on
// first use, then shared by every layer and thread that needs the same code.
#include <memory>
#include <optional>
#include <string>

#include "convgen/chain_spec.h"
#include "convgen/detail/conv_layer.h"
#include "convgen/op_spec.h"

namespace convgen::detail {

class CompiledKernel;

// Sets call.kernel_key from its spec and schedule: once lowering has set both.
void set_kernel_key(LoweredCall &call);

// The kernel for the call's spec under its schedule on the JIT target; compiles it on first
// request. Concurrent first requests compile once. Throws ValueError (unknown schedule) or KernelError.
std::shared_ptr<const CompiledKernel> kernel_for(const LoweredCall &call);

// The kernel cache's key for a chain whose unfused layer (if any) runs under `layer_schedule`.
std::string chain_kernel_key(const ChainSpec &chain, const std::string &layer_schedule);
// The kernel of that chain; `key` is its chain_kernel_key, made once by the caller (a block's plan).
std::shared_ptr<const CompiledKernel> chain_kernel_for(const ChainSpec &chain, const std::string &layer_schedule,
                                                       const std::string &key);
// schedules/chain/chain.h's configure_fused_chain and fusion_refusal on the JIT target.
// The rules choose for num_threads().
void configure_fused_chain(ChainSpec &chain, const ChainConfig *pinned = nullptr);
std::string fusion_refusal(const ChainSpec &chain);
// The tuning database's best config for the chain's problem on the JIT target and this machine
// ("unfused": layer by layer measured fastest); nullopt when it has none.
std::optional<ChainConfig> database_chain_config(const ChainSpec &chain);

// Sets the fields `schedule` chooses for spec on the JIT target (its config and weight layout):
// the tuning database's best config for this machine and thread count when the schedule uses
// the database and it has one, else the schedule's rules.
// A `pinned` config is used as it is (ValueError when the schedule cannot honour it).
// Algorithm::Auto is resolved first (algorithm_choice.h): spec.algorithm is then Direct or Winograd.
void configure_kernel(OpSpec &spec, const std::string &schedule, const ScheduleConfig *pinned = nullptr);

// Number of distinct kernels compiled so far in this process.
size_t compiled_kernel_count();

}  // namespace convgen::detail
