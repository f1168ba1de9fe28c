#include "tuning/timing.h"

#include <algorithm>
#include <chrono>
#include <vector>

namespace convgen::tuning {
namespace {

double median(std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
}

}  // namespace

double candidate_median_ms(const std::function<void()> &run, double give_up_ms, double min_seconds, int min_repeats) {
    using clock = std::chrono::steady_clock;
    run();
    std::vector<double> ms;
    double total = 0;
    while (int(ms.size()) < min_repeats || total < min_seconds * 1e3) {
        const auto start = clock::now();
        run();
        ms.push_back(std::chrono::duration<double, std::milli>(clock::now() - start).count());
        total += ms.back();
        if (int(ms.size()) == min_repeats && median(ms) > give_up_ms) break;
    }
    return median(ms);
}

}  // namespace convgen::tuning
