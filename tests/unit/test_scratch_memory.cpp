// The scratch pool behind kernels' intermediate buffers: aligned, reused, safe across threads.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "runtime/src/scratch_memory.h"  // runtime-internal

namespace convgen::detail {
namespace {

TEST(ScratchMemory, BlocksAreAlignedForAnyVectorAndWritable) {
    for (size_t bytes : {size_t(1), size_t(100), size_t(4096), size_t(600 * 1024)}) {
        void *block = scratch_allocate(bytes);
        ASSERT_NE(block, nullptr);
        EXPECT_EQ(reinterpret_cast<uintptr_t>(block) % 128, 0u) << bytes;
        std::memset(block, 0xab, bytes);
        scratch_release(block);
    }
}

TEST(ScratchMemory, AReleasedBlockServesTheNextRequestOfItsSize) {
    void *first = scratch_allocate(300 * 1024);
    scratch_release(first);
    void *second = scratch_allocate(300 * 1024 - 100);  // same rounded size
    EXPECT_EQ(first, second);
    void *third = scratch_allocate(300 * 1024);  // the block is taken: a new one
    EXPECT_NE(third, second);
    scratch_release(second);
    scratch_release(third);
}

TEST(ScratchMemory, AThreadGetsBackTheBlockItReleasedBeforeAnotherThreads) {
    // Two blocks of one size, released by this thread and then by another: this thread's request
    // takes its own (still in its core's caches), not the one released last.
    constexpr size_t kBytes = 212 * 1024;
    void *mine = scratch_allocate(kBytes);
    void *theirs = scratch_allocate(kBytes);
    scratch_release(mine);
    std::thread([theirs] { scratch_release(theirs); }).join();
    void *again = scratch_allocate(kBytes);
    EXPECT_EQ(again, mine);
    void *other = nullptr;
    std::thread([&other] { other = scratch_allocate(kBytes); }).join();
    EXPECT_EQ(other, theirs);  // a thread with no block of its own takes the one left
    scratch_release(again);
    scratch_release(other);
}

TEST(ScratchMemory, ReleasingNullIsANoOp) { scratch_release(nullptr); }

TEST(ScratchMemory, ThreadsNeverShareABlock) {
    constexpr int kThreads = 8, kRounds = 500;
    std::vector<std::thread> threads;
    std::vector<int> failures(kThreads, 0);
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([t, &failures] {
            for (int round = 0; round < kRounds; ++round) {
                const size_t bytes = 4096 * size_t(1 + round % 3);
                auto *block = static_cast<unsigned char *>(scratch_allocate(bytes));
                std::memset(block, t, bytes);
                std::this_thread::yield();
                for (size_t i = 0; i < bytes; i += 512) failures[size_t(t)] += block[i] != t;
                scratch_release(block);
            }
        });
    }
    for (std::thread &thread : threads) thread.join();
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[size_t(t)], 0) << "thread " << t;
}

}  // namespace
}  // namespace convgen::detail
