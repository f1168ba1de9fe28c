#pragma once
// NumPy .npy files (format versions 1-3) holding little-endian float32 in C order: the CLI's
// tensor format. Anything else is refused with an error that names the problem.
#include <istream>
#include <string>

#include "convgen/tensor.h"

namespace convgen::cli {

// Throws convgen::Error for a missing, corrupt, truncated or unsupported file.
Tensor read_npy(const std::string &path);
// The same from an open binary stream; `name` is the file name errors report.
Tensor read_npy(std::istream &stream, const std::string &name);

// Writes `shape` (C order) from `data` atomically: a temporary file renamed into place, so a
// failure leaves no partial output.
void write_npy(const std::string &path, const Shape &shape, const float *data);

}  // namespace convgen::cli
