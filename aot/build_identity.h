#pragma once
// What produced a kernel: convgen's version, a fingerprint of the code that generates kernels
// (generator/ and schedules/ sources, so an edited schedule never reuses an old cached kernel)
// and Halide's version. Part of every disk-cache key and AOT manifest.
#include <string>

namespace convgen::aot {

const std::string &convgen_version();
const std::string &code_fingerprint();
const std::string &halide_version();
// All three as one line, e.g. "convgen 0.1.0 code 3f2a... halide 21.0.0".
const std::string &build_identity();

}  // namespace convgen::aot
