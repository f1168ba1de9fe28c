#pragma once
// Plans (validated, configured calls) kept per input shape, thread count and tuning-database
// generation -- everything that chooses a plan's config -- so a call on a shape seen before is a
// lookup. Shared by the layers and the blocks.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>

#include "convgen/tensor.h"

namespace convgen::detail {

using PlanKey = std::tuple<Shape, int, uint64_t>;

// The key of a call on `input_sizes` now: this thread count, this database generation.
PlanKey plan_key(const Shape &input_sizes);

// A copy starts empty (its owner's copy may plan differently, as a layer fused with BatchNorm).
template <typename Plan>
class PlanCache {
public:
    PlanCache() = default;
    PlanCache(const PlanCache &) {}
    PlanCache &operator=(const PlanCache &) { return *this; }

    // The plan for the shape, made by `make` on first use; `make` throws for bad input, and
    // nothing is kept then.
    template <typename Make>
    std::shared_ptr<const Plan> get(const Shape &input_sizes, Make make) {
        const PlanKey key = plan_key(input_sizes);
        {
            std::lock_guard lock(mutex_);
            if (auto it = plans_.find(key); it != plans_.end()) return it->second;
        }
        auto made = std::make_shared<const Plan>(make());
        std::lock_guard lock(mutex_);
        if (plans_.size() >= kMostPlans) plans_.clear();
        return plans_.emplace(key, std::move(made)).first->second;
    }

private:
    // An owner fed ever-new shapes keeps only the recent ones.
    static constexpr size_t kMostPlans = 64;
    std::mutex mutex_;
    std::map<PlanKey, std::shared_ptr<const Plan>> plans_;
};

}  // namespace convgen::detail
