// Linked into the ThreadSanitizer tree's Halide runtime only. Halide's LLVM instruments the
// runtime's copies and fills as calls to __tsan_memcpy/__tsan_memset, which ThreadSanitizer
// run-times have since LLVM 15; clang 14's (Debian bookworm) has only the memcpy/memset
// interceptors those stand for, so these forward to them. A newer run-time's own definitions,
// in the executable, take precedence over these.
#include <cstring>

extern "C" void *__tsan_memcpy(void *destination, const void *source, size_t bytes) {
    return std::memcpy(destination, source, bytes);
}

extern "C" void *__tsan_memset(void *destination, int value, size_t bytes) {
    return std::memset(destination, value, bytes);
}
