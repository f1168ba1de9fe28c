// The pool behind every kernel's parallel loops: each index once, statuses passed back, work
// shared between threads, each thread starting on the same share of every loop, and loops that
// start while it is busy still complete.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "convgen/threads.h"
#include "runtime/src/parallel_loops.h"  // runtime-internal

namespace convgen::detail {
namespace {

// Restores the process's thread count after each test.
class ParallelLoops : public testing::Test {
protected:
    void TearDown() override { set_num_threads(0); }
};

// Counts how often each index ran.
struct IndexCounts {
    explicit IndexCounts(int extent) : runs(extent) {}
    std::vector<std::atomic<int>> runs;
    static int task(void *user_context, int index, uint8_t *closure) {
        auto *counts = reinterpret_cast<IndexCounts *>(closure);
        EXPECT_EQ(user_context, counts);
        counts->runs[index - 100].fetch_add(1);
        return 0;
    }
};

void expect_each_index_once(int extent) {
    IndexCounts counts(extent);
    ASSERT_EQ(run_parallel_loop(&counts, IndexCounts::task, 100, extent, reinterpret_cast<uint8_t *>(&counts)), 0);
    for (int index = 0; index < extent; ++index) ASSERT_EQ(counts.runs[index].load(), 1) << index << " of " << extent;
}

TEST_F(ParallelLoops, EveryIndexRunsOnceInLoopsBackToBack) {
    for (int threads : {1, 2, 4}) {
        set_num_threads(threads);
        for (int round = 0; round < 200; ++round) expect_each_index_once(1 + round % 37);
    }
}

TEST_F(ParallelLoops, AnIdleWorkerThatSleptWakesForTheNextLoop) {
    set_num_threads(2);
    expect_each_index_once(8);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // past the workers' spinning
    expect_each_index_once(8);
}

// Waits until `count` reaches `at_least`; false after 20 s (the other thread never came).
bool wait_for(const std::atomic<int> &count, int at_least) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (count.load() < at_least) {
        if (std::chrono::steady_clock::now() > give_up) return false;
        std::this_thread::yield();
    }
    return true;
}

// The first index each thread ran. The first index of each of the two threads' shares waits
// until both shares have started: the loop finishes only if two threads run it at once, and each
// thread's first claim is made while the other is busy.
struct FirstIndices {
    explicit FirstIndices(int share) : share(share) {}
    const int share;
    std::atomic<int> shares_started{0};
    std::mutex mutex;
    std::map<std::thread::id, int> first;
    static int task(void *, int index, uint8_t *closure) {
        auto *seen = reinterpret_cast<FirstIndices *>(closure);
        {
            std::lock_guard lock(seen->mutex);
            seen->first.emplace(std::this_thread::get_id(), index);
        }
        if (index % seen->share != 0) return 0;
        seen->shares_started.fetch_add(1);
        return wait_for(seen->shares_started, 2) ? 0 : 1;
    }
};

TEST_F(ParallelLoops, TwoThreadsShareALoop) {
    set_num_threads(2);
    for (int round = 0; round < 3; ++round) {
        FirstIndices seen(1);
        EXPECT_EQ(run_parallel_loop(nullptr, FirstIndices::task, 0, 2, reinterpret_cast<uint8_t *>(&seen)), 0);
        EXPECT_EQ(seen.first.size(), 2u);
        std::this_thread::sleep_for(std::chrono::milliseconds(round * 10));
    }
}

// Consecutive loops give each thread the same contiguous share, so a layer finds the rows the
// layer before it wrote in its own core's caches: the caller starts at the first index, the
// worker at the middle, in every loop (with one shared counter the worker started at index 1).
TEST_F(ParallelLoops, EachThreadStartsOnItsOwnShareOfEveryLoop) {
    set_num_threads(2);
    for (int round = 0; round < 3; ++round) {
        FirstIndices seen(4);
        ASSERT_EQ(run_parallel_loop(nullptr, FirstIndices::task, 0, 8, reinterpret_cast<uint8_t *>(&seen)), 0);
        ASSERT_EQ(seen.first.size(), 2u);
        EXPECT_EQ(seen.first.at(std::this_thread::get_id()), 0);
        for (const auto &[thread, index] : seen.first) {
            if (thread != std::this_thread::get_id()) {
                EXPECT_EQ(index, 4);
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(round * 10));  // the worker asleep in the last
    }
}

TEST_F(ParallelLoops, OneThreadRunsEveryTaskOnTheCaller) {
    set_num_threads(1);
    std::set<std::thread::id> threads;
    auto task = [](void *, int, uint8_t *closure) {
        reinterpret_cast<std::set<std::thread::id> *>(closure)->insert(std::this_thread::get_id());
        return 0;
    };
    EXPECT_EQ(run_parallel_loop(nullptr, task, 0, 64, reinterpret_cast<uint8_t *>(&threads)), 0);
    EXPECT_EQ(threads, std::set<std::thread::id>{std::this_thread::get_id()});
}

TEST_F(ParallelLoops, AFailingTaskStatusIsReturned) {
    set_num_threads(2);
    auto task = [](void *, int index, uint8_t *) { return index == 5 ? -7 : 0; };
    EXPECT_EQ(run_parallel_loop(nullptr, task, 0, 64, nullptr), -7);
    expect_each_index_once(16);  // the pool serves the next loop as before
}

// A task that runs a loop of its own, as a kernel's nested parallel loops do.
struct Nested {
    std::atomic<int> inner_runs{0};
    static int inner(void *, int, uint8_t *closure) {
        reinterpret_cast<Nested *>(closure)->inner_runs.fetch_add(1);
        return 0;
    }
    static int outer(void *, int, uint8_t *closure) { return run_parallel_loop(nullptr, inner, 0, 10, closure); }
};

TEST_F(ParallelLoops, ALoopNestedInATaskCompletes) {
    set_num_threads(2);
    Nested nested;
    EXPECT_EQ(run_parallel_loop(nullptr, Nested::outer, 0, 6, reinterpret_cast<uint8_t *>(&nested)), 0);
    EXPECT_EQ(nested.inner_runs.load(), 60);
}

TEST_F(ParallelLoops, LoopsFromSeveralCallerThreadsAllComplete) {
    set_num_threads(2);
    std::vector<std::thread> callers;
    std::atomic<int> failures{0};
    for (int caller = 0; caller < 4; ++caller) {
        callers.emplace_back([&] {
            for (int round = 0; round < 100; ++round) {
                IndexCounts counts(24);
                run_parallel_loop(&counts, IndexCounts::task, 100, 24, reinterpret_cast<uint8_t *>(&counts));
                for (auto &runs : counts.runs) failures += runs.load() != 1;
            }
        });
    }
    for (std::thread &caller : callers) caller.join();
    EXPECT_EQ(failures.load(), 0);
}

TEST_F(ParallelLoops, TheThreadCountChangesBetweenLoops) {
    for (int threads : {2, 1, 3, 2, 1}) {
        set_num_threads(threads);
        expect_each_index_once(13);
    }
}

}  // namespace
}  // namespace convgen::detail
