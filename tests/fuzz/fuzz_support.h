#pragma once
// What every fuzz target shares: a failed expectation is a crash libFuzzer records.
#include <cstdio>
#include <cstdlib>

namespace convgen::fuzz {

inline void require(bool condition, const char *what) {
    if (!condition) {
        std::fprintf(stderr, "fuzz expectation failed: %s\n", what);
        std::abort();
    }
}

}  // namespace convgen::fuzz
