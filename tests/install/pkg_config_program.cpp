// Built with only `pkg-config --cflags --libs convgen` against an installed prefix: JIT-compiles a
// 3x3 conv, stores it in the disk cache given as argv[1], then loads it back from there. Exit
// status 1 unless each step happened and every output is the 3x3 sum of ones.
#include <cstdio>
#include <vector>

#include <convgen/cache.h>
#include <convgen/convgen.h>

namespace {

bool all_nine(const convgen::Tensor &output) {
    for (int64_t i = 0; i < output.numel(); ++i) {
        if (output.data()[i] != 9.0f) return false;
    }
    return output.numel() == 4;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <kernel cache dir>\n", argv[0]);
        return 2;
    }
    convgen::set_kernel_cache_directory(argv[1]);
    std::vector<float> ones(16, 1.0f);
    convgen::Conv2d conv(convgen::Conv2dOptions(1, 1, 3).bias(false));
    conv.set_weight(convgen::ConstTensorView(ones.data(), {1, 1, 3, 3}));
    const convgen::ConstTensorView input(ones.data(), {1, 1, 4, 4});

    const bool compiled = all_nine(conv.forward(input));
    convgen::clear_memory_kernel_cache();
    const bool loaded = all_nine(conv.forward(input));
    const convgen::KernelCacheStats stats = convgen::kernel_cache_stats();
    std::printf("compiles %llu, disk writes %llu, disk hits %llu\n", static_cast<unsigned long long>(stats.compiles),
                static_cast<unsigned long long>(stats.disk_writes), static_cast<unsigned long long>(stats.disk_hits));
    return compiled && loaded && stats.compiles == 1 && stats.disk_writes == 1 && stats.disk_hits == 1 ? 0 : 1;
}
