#pragma once
// Ahead-of-time compiled kernels as `convgen compile --emit kernel_table` describes them: plain
// C++ (no Halide, no convgen library needed), so the glue also builds for cross targets.
//
// Each generated table links itself into a process-wide list from a static initializer; the
// layer runtime reads the list when it looks a kernel up (see README: "Kernel lookup order").
// Link the glue's object file directly (a CMake OBJECT library, as convgen_add_kernels does):
// in a static archive the linker would drop it.
#include <cstddef>

#include "convgen/op_spec.h"

namespace convgen {

// Halide's argv entry point: one halide_buffer_t* per buffer, in call order.
using AotEntryPoint = int (*)(void **arguments);

struct AotKernel {
    const char *function_name;
    const char *target;    // the Halide target it was compiled for, resolved (never "host")
    const char *schedule;
    const char *key;       // spec.key() when generated; a kernel whose spec no longer matches is ignored
    OpSpec spec;
    AotEntryPoint entry;
};

struct AotKernelTable {
    const AotKernel *kernels;
    size_t count;
    const AotKernelTable *next;
};

// Head of the list of tables linked into this program.
inline const AotKernelTable *&aot_kernel_tables() {
    static const AotKernelTable *head = nullptr;
    return head;
}

// Called by generated glue during static initialisation.
inline bool link_aot_kernel_table(AotKernelTable &table) {
    table.next = aot_kernel_tables();
    aot_kernel_tables() = &table;
    return true;
}

}  // namespace convgen
