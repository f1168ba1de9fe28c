// Concurrency and resources: many threads racing on shared layers and the JIT cache, and many
// calls holding no memory.
#include <cstring>
#include <fstream>
#include <functional>
#include <latch>
#include <thread>

#include <unistd.h>

#include "test_support.h"

#if defined(__SANITIZE_ADDRESS__)
#define CONVGEN_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CONVGEN_TEST_ASAN 1
#endif
#endif
#ifdef CONVGEN_TEST_ASAN
#include <sanitizer/lsan_interface.h>
#endif

namespace convgen::testing {
namespace {

// A layer of each op behind one call signature, each with several input shapes.
struct Workload {
    std::string name;
    std::function<Tensor(const Tensor &)> forward;
    std::vector<Tensor> inputs;
};

std::vector<Workload> workloads() {
    const Conv2d conv(Conv2dOptions(4, 6, 3).padding(1).padding_mode(PaddingMode::Reflect));
    const Conv2d grouped_nhwc(Conv2dOptions(4, 4, 3).groups(2).stride(2).layout(Layout::NHWC).activation(Activation::Relu));
    const Conv1d conv1d(Conv1dOptions(3, 2, 5).dilation(2).padding("same"));
    const ConvTranspose2d transpose(ConvTranspose2dOptions(4, 3, 3).stride(2).output_padding(1));
    const Unfold unfold(UnfoldOptions(3).stride(2));
    const Fold fold(FoldOptions(5, 2));
    auto inputs = [](std::vector<Shape> shapes) {
        std::vector<Tensor> tensors;
        for (const Shape &s : shapes) tensors.push_back(random_tensor(s, unsigned(tensors.size() + s.size())));
        return tensors;
    };
    return {
        {"conv2d", [=](const Tensor &x) { return conv.forward(x); }, inputs({{1, 4, 9, 9}, {2, 4, 7, 8}, {4, 6, 5}})},
        {"conv2d_nhwc", [=](const Tensor &x) { return grouped_nhwc.forward(x); }, inputs({{1, 4, 8, 8}, {4, 7, 9}})},
        {"conv1d", [=](const Tensor &x) { return conv1d.forward(x); }, inputs({{2, 3, 11}, {3, 16}})},
        {"conv_transpose2d", [=](const Tensor &x) { return transpose.forward(x); }, inputs({{1, 4, 4, 5}, {4, 3, 3}})},
        {"unfold", [=](const Tensor &x) { return unfold.forward(x); }, inputs({{1, 4, 9, 9}, {2, 3, 7, 8}})},
        {"fold", [=](const Tensor &x) { return fold.forward(x); }, inputs({{1, 8, 16}, {12, 16}})},
    };
}

bool identical(const Tensor &a, const Tensor &b) {
    return a.sizes() == b.sizes() && std::memcmp(a.data(), b.data(), size_t(a.numel()) * sizeof(float)) == 0;
}

TEST(Stress, EightThreadsRacingOnTheKernelCacheGetSingleThreadedResults) {
    constexpr int kThreads = 8, kCallsPerThread = 250;
    const std::vector<Workload> work = workloads();
    // Call i of thread t runs workload (t + i) % size on its input (t + 2i) % count: every thread
    // meets every layer and shape, and the first calls of all threads compile at the same time.
    auto pick = [&](int t, int i) {
        const Workload &w = work[size_t(t + i) % work.size()];
        return std::pair{&w, &w.inputs[size_t(t + 2 * i) % w.inputs.size()]};
    };
    std::vector<std::vector<Tensor>> results(kThreads);
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            start.arrive_and_wait();
            for (int i = 0; i < kCallsPerThread; ++i) {
                const auto [w, x] = pick(t, i);
                results[t].push_back(w->forward(*x));
            }
        });
    }
    for (std::thread &t : threads) t.join();

    int compared = 0;
    for (int t = 0; t < kThreads; ++t) {
        for (int i = 0; i < kCallsPerThread; ++i) {
            const auto [w, x] = pick(t, i);
            ASSERT_TRUE(identical(results[t][i], w->forward(*x))) << w->name << " thread " << t << " call " << i;
            ++compared;
        }
    }
    EXPECT_EQ(compared, kThreads * kCallsPerThread);
    RecordProperty("threads_x_calls", compared);
}

int64_t resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    int64_t pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * int64_t(::sysconf(_SC_PAGESIZE));
}

// 10,000 forward calls of every kind (returned tensors, caller memory, strided inputs that are
// copied) hold no memory afterwards: LeakSanitizer finds no leak in a sanitizer build, and the
// resident set does not grow in any other.
TEST(Stress, TenThousandForwardCallsLeakNothing) {
    const std::vector<Workload> work = workloads();
    const Conv2d conv(Conv2dOptions(4, 6, 3).padding(1));
    const Tensor storage = random_tensor({1, 4, 9, 18}, 3);
    const ConstTensorView strided(storage.data(), {1, 4, 9, 9}, {648, 162, 18, 2});
    Tensor into({1, 6, 9, 9});
    int calls = 0;
    auto call_everything = [&](int rounds) {
        for (int r = 0; r < rounds; ++r) {
            for (const Workload &w : work) {
                for (const Tensor &x : w.inputs) {
                    w.forward(x);
                    ++calls;
                }
            }
            conv.forward(strided, into);
            conv.forward(strided);
            calls += 2;
        }
    };
    call_everything(20);  // compiles every kernel and warms the allocator
    calls = 0;
    const int64_t before = resident_bytes();
    call_everything(700);
    const int64_t growth = resident_bytes() - before;
    EXPECT_GE(calls, 10000);
    RecordProperty("forward_calls", calls);
    RecordProperty("resident_growth_bytes", int(growth));
#ifdef CONVGEN_TEST_ASAN
    EXPECT_EQ(__lsan_do_recoverable_leak_check(), 0) << "LeakSanitizer found leaks (see its report above)";
#else
    EXPECT_LT(growth, int64_t(8) << 20) << "the resident set grew by " << growth << " bytes over " << calls
                                        << " calls";
#endif
}

}  // namespace
}  // namespace convgen::testing
