// Concurrent forward calls on shared layers, racing on first-use compilation.
#include <cstring>
#include <filesystem>
#include <thread>

#include "convgen/cache.h"
#include "test_support.h"

namespace convgen::testing {
namespace {

TEST(Concurrency, ThreadsSharingLayersAndShapesGetSingleThreadedResults) {
    Conv2d conv(Conv2dOptions(4, 6, 3).padding(1).padding_mode(PaddingMode::Reflect));
    Unfold unfold(UnfoldOptions(3).stride(2));
    const std::vector<Shape> shapes{{1, 4, 9, 9}, {2, 4, 7, 8}, {4, 6, 5}, {3, 4, 11, 6}};
    std::vector<Tensor> inputs, conv_expected, unfold_expected;
    for (size_t i = 0; i < shapes.size(); ++i) inputs.push_back(random_tensor(shapes[i], unsigned(i)));

    constexpr int kThreads = 8, kCallsPerThread = 12;
    std::vector<std::vector<Tensor>> conv_results(kThreads), unfold_results(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kCallsPerThread; ++i) {
                const Tensor &x = inputs[size_t(t + i) % inputs.size()];
                conv_results[t].push_back(conv.forward(x));
                unfold_results[t].push_back(unfold.forward(x));
            }
        });
    }
    for (std::thread &t : threads) t.join();

    for (const Tensor &x : inputs) {
        conv_expected.push_back(conv.forward(x));
        unfold_expected.push_back(unfold.forward(x));
    }
    for (int t = 0; t < kThreads; ++t) {
        for (int i = 0; i < kCallsPerThread; ++i) {
            const size_t which = size_t(t + i) % inputs.size();
            for (auto [results, expected] : {std::pair{&conv_results, &conv_expected}, {&unfold_results, &unfold_expected}}) {
                const Tensor &got = (*results)[t][i], &want = (*expected)[which];
                ASSERT_EQ(got.sizes(), want.sizes());
                ASSERT_EQ(0, std::memcmp(got.data(), want.data(), size_t(got.numel()) * sizeof(float)));
            }
        }
    }
}

TEST(Concurrency, ThreadCountIsSettable) {
    set_num_threads(1);
    EXPECT_EQ(num_threads(), 1);
    Conv2d conv(Conv2dOptions(2, 2, 3));
    const Tensor x = random_tensor({1, 2, 6, 6}, 1);
    const Tensor one_thread = conv.forward(x);
    set_num_threads(2);
    EXPECT_EQ(num_threads(), 2);
    const Tensor two_threads = conv.forward(x);
    ASSERT_EQ(0, std::memcmp(one_thread.data(), two_threads.data(), size_t(one_thread.numel()) * sizeof(float)));
    set_num_threads(0);
}

// Threads of this process, as the kernel lists them.
size_t process_threads() {
    const std::filesystem::directory_iterator tasks("/proc/self/task");
    return size_t(std::distance(begin(tasks), end(tasks)));
}

TEST(Concurrency, LoweringTheThreadCountStopsEveryKernelWorker) {
    // JIT-compiled kernels (no disk cache) share the pool of AOT kernels, so lowering the count
    // stops their workers too instead of leaving them running.
    set_disk_cache_enabled(false);
    clear_memory_kernel_cache();
    Conv2d conv(Conv2dOptions(8, 16, 3).padding(1));
    const Tensor x = random_tensor({1, 8, 48, 48}, 3);
    set_num_threads(1);  // no workers, whatever ran before
    conv.forward(x);
    const size_t baseline = process_threads();
    set_num_threads(2);
    const Tensor two_threads = conv.forward(x);
    EXPECT_GT(process_threads(), baseline);
    set_num_threads(1);
    const Tensor one_thread = conv.forward(x);
    EXPECT_EQ(process_threads(), baseline);
    ASSERT_EQ(0, std::memcmp(one_thread.data(), two_threads.data(), size_t(one_thread.numel()) * sizeof(float)));
    set_num_threads(0);
    set_disk_cache_enabled(true);
}

}  // namespace
}  // namespace convgen::testing
