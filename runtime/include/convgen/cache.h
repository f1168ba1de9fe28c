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
//
// Size: after each write, least-recently-used entries (last use: the entry file's mtime, set on
// write and on every disk hit) are removed until the entries total at most the cap. An entry that
// another process is reading (it holds a shared flock) is never removed; a process that finds its
// entry gone compiles it again. The cap defaults to $CONVGEN_CACHE_MAX_MB MiB, else 1024 MiB; a
// value that is not a positive whole number warns once on stderr and leaves 1024.
//
// Hits and misses of the disk cache (lookups after an in-memory miss) are also counted across
// processes, in the file "stats" in the directory, updated under flock.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace convgen {

void set_kernel_cache_directory(const std::string &path);
std::string kernel_cache_directory();
void set_disk_cache_enabled(bool enabled);
bool disk_cache_enabled();
// Throws ValueError for 0. Applies from the next write (or cache_maintenance::prune).
void set_kernel_cache_max_bytes(uint64_t bytes);
uint64_t kernel_cache_max_bytes();

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

// Inspecting and trimming a disk cache directory, from any process (`convgen cache`). A directory
// that does not exist is an empty cache; a path that is not a directory throws Error.
namespace cache_maintenance {

struct Entry {
    std::string file;
    std::string key;  // "?" when the file is not a readable entry
    uint64_t bytes = 0;
    std::chrono::system_clock::time_point last_use;
};

struct Summary {
    uint64_t entries = 0;
    uint64_t bytes = 0;
    uint64_t hits = 0;  // across processes, from the directory's stats file
    uint64_t misses = 0;
};

struct Removal {
    uint64_t entries = 0;
    uint64_t bytes = 0;
    uint64_t in_use = 0;       // entries kept because another process was reading them
    uint64_t temp_files = 0;   // stale temp files left by writers that died
};

Summary summary(const std::string &directory);
// Least recently used first: the order prune removes them in.
std::vector<Entry> list(const std::string &directory);
// Removes least-recently-used entries until the rest total at most max_bytes (ValueError for 0),
// and stale temp files.
Removal prune(const std::string &directory, uint64_t max_bytes);
// Removes every entry not in use and stale temp files, and resets the hit/miss counts.
Removal clear(const std::string &directory);

}  // namespace cache_maintenance

}  // namespace convgen
