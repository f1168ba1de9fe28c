// Runs every AOT kernel linked into it (arm-64-linux kernels, under qemu-aarch64 in ctest) and
// compares each with the plain-loop reference. Cross-compiled from Halide-free sources only.
#include <cstdio>

#include "aot_kernel_check.h"

int main() {
    std::mt19937 engine(2024);
    int kernels = 0, failures = 0;
    for (const convgen::AotKernelTable *t = convgen::aot_kernel_tables(); t; t = t->next) {
        for (size_t i = 0; i < t->count; ++i, ++kernels) {
            const convgen::test::KernelCheck result = convgen::test::check_kernel(t->kernels[i], engine);
            std::printf("%s\n", result.message.c_str());
            failures += result.ok ? 0 : 1;
        }
    }
    std::printf("%d kernels, %d failed\n", kernels, failures);
    if (kernels != EXPECTED_KERNELS) {
        std::printf("FAIL: expected %d kernels\n", EXPECTED_KERNELS);
        return 1;
    }
    return failures == 0 ? 0 : 1;
}
