#include "scratch_memory.h"

#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <vector>

namespace convgen::detail {
namespace {

// Halide's own allocator aligns to 128 bytes; the header before each block keeps that.
constexpr size_t kAlignment = 128;
// Sizes are rounded up to whole pages so a block serves every nearby request.
constexpr size_t kGranule = 4096;
// The most free memory kept for reuse; beyond it blocks go back to the system.
constexpr size_t kRetainedBytes = size_t(256) << 20;

struct Header {
    size_t bytes;  // usable size, a multiple of kGranule
};
static_assert(sizeof(Header) <= kAlignment);

class ScratchPool {
public:
    void *allocate(size_t bytes) {
        const size_t rounded = (bytes + kGranule - 1) / kGranule * kGranule;
        {
            std::lock_guard lock(mutex_);
            auto it = free_.find(rounded);
            if (it != free_.end() && !it->second.empty()) {
                void *block = it->second.back();
                it->second.pop_back();
                retained_ -= rounded;
                return block;
            }
        }
        auto *base = static_cast<uint8_t *>(std::aligned_alloc(kAlignment, rounded + kAlignment));
        if (!base) return nullptr;
        reinterpret_cast<Header *>(base)->bytes = rounded;
        return base + kAlignment;
    }

    void release(void *block) {
        if (!block) return;
        uint8_t *base = static_cast<uint8_t *>(block) - kAlignment;
        const size_t bytes = reinterpret_cast<Header *>(base)->bytes;
        {
            std::lock_guard lock(mutex_);
            if (retained_ + bytes <= kRetainedBytes) {
                free_[bytes].push_back(block);
                retained_ += bytes;
                return;
            }
        }
        std::free(base);
    }

private:
    std::mutex mutex_;
    std::map<size_t, std::vector<void *>> free_;
    size_t retained_ = 0;
};

// Never destroyed: kernels may still run while static objects are torn down at exit.
ScratchPool &pool() {
    static auto *instance = new ScratchPool;
    return *instance;
}

}  // namespace

void *scratch_allocate(size_t bytes) { return pool().allocate(bytes); }

void scratch_release(void *block) { pool().release(block); }

ScratchBlock scratch_block(size_t bytes) {
    ScratchBlock block(scratch_allocate(bytes));
    if (!block) throw std::bad_alloc();
    return block;
}

}  // namespace convgen::detail
