#pragma once
// The tuning database (`convgen tune` writes it; README "Tuning"). Layers whose schedule is
// `tuned` (the default) use its fastest config measured on this machine class at the current
// thread count, else the hand schedule's rules. It is read from $CONVGEN_TUNING_DB, else
// tuning.jsonl in the kernel cache directory, once per process.
#include <string>

namespace convgen {

// Uses `path` instead of the default from now on (and reads it on the next lookup).
void set_tuning_database_path(const std::string &path);

// Whether records measured on other machine classes (another CPU model, cache sizes or core
// count) serve where this one has none for a problem, the fastest of them: a config tuned on a
// like machine usually beats the rules, but it is not this machine's measurement. Off unless
// asked for, here or by $CONVGEN_TUNING_OTHER_MACHINES=1; this call overrides the variable.
// Records must still be for this Halide target, and a config the schedule cannot honour is
// warned about and the rules are used.
void use_other_machines_tuning(bool allow);

// Reads the database again on the next lookup (after a tuning run in this process, say).
// Layers already lowered keep the kernel they have until their next call.
void reload_tuning_database();

}  // namespace convgen
