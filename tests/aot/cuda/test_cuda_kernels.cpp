// CUDA kernels generated at build time (`cuda` schedule), run on a CUDA device and compared with
// the reference. Without a CUDA device every case reports itself skipped, never passed.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include "aot_kernel_check.h"

namespace convgen {
namespace {

bool cuda_device_present() {
    void *cuda = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!cuda) return false;
    using Init = int (*)(unsigned);
    using Count = int (*)(int *);
    auto init = reinterpret_cast<Init>(dlsym(cuda, "cuInit"));
    auto count = reinterpret_cast<Count>(dlsym(cuda, "cuDeviceGetCount"));
    int devices = 0;
    return init && count && init(0) == 0 && count(&devices) == 0 && devices > 0;
}

void copy_outputs_home(const std::vector<halide_buffer_t *> &buffers) {
    halide_copy_to_host(nullptr, buffers.back());
    for (halide_buffer_t *b : buffers) halide_device_free(nullptr, b);
}

TEST(CudaKernels, AreLinked) {
    size_t kernels = 0;
    for (const AotKernelTable *t = aot_kernel_tables(); t; t = t->next) kernels += t->count;
    EXPECT_EQ(kernels, size_t(EXPECTED_KERNELS));
}

TEST(CudaKernels, MatchTheReferenceOnTheDevice) {
    if (!cuda_device_present()) GTEST_SKIP() << "no CUDA device";
    std::mt19937 engine(11);
    for (const AotKernelTable *t = aot_kernel_tables(); t; t = t->next) {
        for (size_t i = 0; i < t->count; ++i) {
            const test::KernelCheck result = test::check_kernel(t->kernels[i], engine, copy_outputs_home);
            EXPECT_TRUE(result.ok) << result.message;
        }
    }
}

}  // namespace
}  // namespace convgen
