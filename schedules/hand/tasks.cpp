// Parallel task grain shared by the hand schedules, and how evenly tasks share out over threads.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "schedules/hand/hand.h"

namespace convgen::schedules::hand {

int64_t channels_per_task(double bytes_per_channel, int64_t channels) {
    return std::clamp<int64_t>(int64_t(std::ceil(kTaskBytes / bytes_per_channel)), 1, channels);
}

Halide::Var parallel_over_channel_groups(Halide::Func f, const Halide::Var &c, const Halide::Var &n,
                                         int64_t channels_per_group) {
    Halide::Var group("group"), channel("channel"), task("task");
    f.split(c, group, channel, int(channels_per_group), Halide::TailStrategy::GuardWithIf)
        .fuse(group, n, task)
        .parallel(task);
    return channel;
}

Halide::Var parallel_over_channel_groups(Halide::Func f, const Halide::Var &c, const Halide::Var &n,
                                         double bytes_per_channel, int64_t channels) {
    return parallel_over_channel_groups(f, c, n, channels_per_task(bytes_per_channel, channels));
}

double idle_share(int64_t rows, int64_t rows_per_task, int64_t runs, int threads) {
    if (rows <= 0 || runs <= 0 || threads <= 1) return 0.0;
    std::vector<int64_t> busy(size_t(threads), 0);  // rows each thread has computed
    for (int64_t run = 0; run < runs; ++run) {
        for (int64_t start = 0; start < rows; start += rows_per_task) {
            *std::min_element(busy.begin(), busy.end()) += std::min(rows_per_task, rows - start);
        }
    }
    const int64_t longest = *std::max_element(busy.begin(), busy.end());
    return 1.0 - double(rows * runs) / double(longest * threads);
}

int64_t balanced_rows_per_task(int64_t rows, int64_t rows_per_task, int64_t least_rows_per_task, int64_t runs,
                               int threads) {
    int64_t best = rows_per_task;
    double best_idle = idle_share(rows, rows_per_task, runs, threads);
    if (best_idle <= kMaximumIdleShare) return best;
    const int64_t least_height = best_idle > kMostIdleShareOfWantedTasks ? least_rows_per_task : rows_per_task;
    for (int64_t tasks = 1; tasks <= rows; ++tasks) {
        const int64_t height = (rows + tasks - 1) / tasks;
        if (height < least_height) break;
        const double idle = idle_share(rows, height, runs, threads);
        const bool nearer = std::abs(height - rows_per_task) < std::abs(best - rows_per_task);
        if (idle < best_idle - 1e-9 || (idle < best_idle + 1e-9 && nearer)) {
            best = height;
            best_idle = idle;
        }
    }
    return best;
}

int64_t balanced_row_blocks(int64_t rows, int64_t runs, int threads) {
    const double whole = idle_share(rows, rows, runs, threads);
    int64_t best = 1;
    double best_idle = whole;
    for (int64_t blocks = 2; blocks <= rows; ++blocks) {
        const double idle = idle_share(rows, (rows + blocks - 1) / blocks, runs, threads);
        if (idle < best_idle - 1e-9) {
            best = blocks;
            best_idle = idle;
        }
    }
    return whole - best_idle >= kLeastIdleSaved ? best : 1;
}

}  // namespace convgen::schedules::hand
