#pragma once
// Typed errors. They mirror the Python exception PyTorch raises for the same condition, so a
// caller can tell a bad option (ValueError) from a bad tensor (RuntimeError).
#include <stdexcept>
#include <string>

namespace convgen {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Invalid layer options, raised at construction (PyTorch: ValueError).
class ValueError : public Error {
public:
    using Error::Error;
};

// Invalid input for a forward call: shapes, sizes, tensors (PyTorch: RuntimeError).
class RuntimeError : public Error {
public:
    using Error::Error;
};

// A kernel could not be generated or failed while running.
class KernelError : public Error {
public:
    using Error::Error;
};

}  // namespace convgen
