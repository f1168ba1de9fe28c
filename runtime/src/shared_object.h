#pragma once
// Disk-cached kernels are shared objects: Halide's object code linked by the system compiler
// against the process's shared Halide runtime, and loaded from bytes already verified in memory
// (never from a path that could change between the check and the load).
#include <memory>
#include <string>

namespace convgen::detail {

// Links an object file's bytes into a shared object's bytes. Compiler: $CONVGEN_CXX, else `c++`.
// Throws KernelError with the compiler's output on failure.
std::string link_shared_object(const std::string &object_bytes);

class LoadedLibrary {
public:
    // `fd` backs the library's path (/proc/self/fd/N); it stays open while the library is loaded
    // so that no other kernel gets the same path, which dlopen would take for this library.
    LoadedLibrary(void *handle, int fd) : handle_(handle), fd_(fd) {}
    ~LoadedLibrary();
    LoadedLibrary(const LoadedLibrary &) = delete;
    LoadedLibrary &operator=(const LoadedLibrary &) = delete;
    void *symbol(const std::string &name) const;

private:
    void *handle_;
    int fd_;
};

// nullptr (and `error` set) when the bytes are not a loadable shared object.
std::shared_ptr<LoadedLibrary> load_shared_object(const std::string &bytes, std::string &error);

}  // namespace convgen::detail
