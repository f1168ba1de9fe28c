#pragma once
// Where compiled kernels come from, and the persistent (disk) kernel cache.
//
// A layer's kernel is looked up in this order (README: "Kernel lookup order"):
//   1. this process's in-memory cache;
//   2. AOT kernels linked into the program (convgen_add_kernels / `convgen compile --emit
//      kernel_table`) whose OpSpec key and schedule match and whose target runs on the JIT target;
//   3. the disk cache: an entry verified (format, checksum, convgen + Halide build, full key) before
//      it is loaded; a bad entry is never loaded, only rebuilt;
//   4. a JIT compile, then written to the disk cache (atomically: temp file + rename).
// The disk cache defaults to $CONVGEN_CACHE_DIR, else $XDG_CACHE_HOME/convgen, else
// ~/.cache/convgen; CONVGEN_CACHE=off turns it off. A directory that cannot be written leaves the
// cache in memory only, with one warning on stderr; the call itself never fails because of it.
#include <cstdint>
#include <string>

namespace convgen {

void set_kernel_cache_directory(const std::string &path);
std::string kernel_cache_directory();
void set_disk_cache_enabled(bool enabled);
bool disk_cache_enabled();

// Counts since the process started, per lookup outcome.
struct KernelCacheStats {
    uint64_t memory_hits = 0;
    uint64_t aot_hits = 0;
    uint64_t disk_hits = 0;
    uint64_t disk_rejected = 0;  // entries found but refused (truncated, corrupt, other key or build)
    uint64_t disk_writes = 0;
    uint64_t compiles = 0;       // Halide/LLVM compiles
};
KernelCacheStats kernel_cache_stats();

// Drops the kernels held in memory; layers keep working and look their kernel up again on the
// next call (AOT, then disk, then JIT). For measuring first-call latency and for tests.
void clear_memory_kernel_cache();

}  // namespace convgen
