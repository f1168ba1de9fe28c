// convgen_halide_runtime_object TARGET OUTPUT.o: Halide's runtime for TARGET as one object, built
// into the shared library that every no_runtime kernel of the process (linked-in AOT kernels and
// disk-cached ones) uses, so they share one thread pool and one error handler.
#include <cstdio>

#include <Halide.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s TARGET OUTPUT.o\n", argv[0]);
        return 2;
    }
    try {
        Halide::compile_standalone_runtime(argv[2], Halide::Target(argv[1]));
    } catch (const Halide::Error &e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
