// Runs the ResNet-50 layer of layers.jsonl through convgen's layer API. Its kernel was generated
// at build time (convgen_add_kernels), so the first call compiles nothing. Exit status 1 if it did.
#include <chrono>
#include <cstdio>

#include <convgen/cache.h>
#include <convgen/convgen.h>
#include <convgen/suite.h>

int main() {
    convgen::set_disk_cache_enabled(false);  // show the linked kernel, not a cached one
    const convgen::SuiteLayer layer = convgen::read_suite(EXAMPLE_SUITE).front();
    convgen::Conv2d conv(layer.options());
    convgen::Tensor input(layer.input_shape());
    const auto start = std::chrono::steady_clock::now();
    const convgen::Tensor output = conv.forward(input);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    const convgen::KernelCacheStats stats = convgen::kernel_cache_stats();
    std::printf("%s: output %lld values, first call %.2f ms, AOT kernels used %llu, JIT compiles %llu\n",
                layer.name.c_str(), static_cast<long long>(output.numel()), ms,
                static_cast<unsigned long long>(stats.aot_hits), static_cast<unsigned long long>(stats.compiles));
    return stats.aot_hits == 1 && stats.compiles == 0 ? 0 : 1;
}
