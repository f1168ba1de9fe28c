#include "scratch_memory.h"

#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <map>
#include <mutex>
#include <new>
#include <thread>
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
    size_t bytes;               // usable size, a multiple of kGranule
    std::thread::id last_user;  // the thread that released it
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
                std::vector<void *> &blocks = it->second;
                // The thread's own last block first: its lines are still in this core's caches,
                // where another thread's would be fetched from, and invalidated in, the core
                // that wrote them, on every task of a parallel loop.
                auto own = blocks.end() - 1;
                for (auto b = blocks.rbegin(); b != blocks.rend(); ++b) {
                    if (header(*b).last_user == std::this_thread::get_id()) {
                        own = std::prev(b.base());
                        break;
                    }
                }
                void *block = *own;
                blocks.erase(own);
                retained_ -= rounded;
                return block;
            }
        }
        auto *base = static_cast<uint8_t *>(std::aligned_alloc(kAlignment, rounded + kAlignment));
        if (!base) return nullptr;
        new (base) Header{rounded, std::thread::id()};
        return base + kAlignment;
    }

    static Header &header(void *block) {
        return *reinterpret_cast<Header *>(static_cast<uint8_t *>(block) - kAlignment);
    }

    void release(void *block) {
        if (!block) return;
        uint8_t *base = static_cast<uint8_t *>(block) - kAlignment;
        const size_t bytes = header(block).bytes;
        header(block).last_user = std::this_thread::get_id();
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
