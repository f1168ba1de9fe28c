#pragma once
// The machine a measurement was taken on. Tuned configs carry over only between machines of the
// same class: the same CPU, the same code-generation features, caches and core count.
#include <cstdint>
#include <string>
#include <vector>

namespace convgen::tuning {

struct MachineIdentity {
    std::string vendor;     // x86 "GenuineIntel"/"AuthenticAMD", ARM "implementer 0x41"; "unknown" if unreadable
    std::string cpu_model;  // "model name" plus the family/model (x86) or part/variant (ARM) numbers,
                            // which still tell CPUs apart in VMs whose model name is generic
    std::vector<std::string> isa_features;  // only those that change generated code, sorted
    int64_t l1d_bytes = 0;  // 0 when the size is unknown
    int64_t l2_bytes = 0;
    int64_t l3_bytes = 0;
    int cores = 0;          // the CPUs this process may run on

    // Everything that must match for a record to apply, as one stable canonical text.
    std::string class_key() const;

    bool operator==(const MachineIdentity &) const = default;
};

// Reads /proc/cpuinfo and /sys/devices/system/cpu/cpu0/cache; a missing file leaves its fields
// at "unknown" / 0 rather than failing.
MachineIdentity this_machine();

}  // namespace convgen::tuning
