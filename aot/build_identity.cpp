#include "aot/build_identity.h"

#include <Halide.h>

#include "code_fingerprint.h"  // generated at build time: CONVGEN_CODE_FINGERPRINT

namespace convgen::aot {

const std::string &convgen_version() {
    static const std::string version = CONVGEN_VERSION;
    return version;
}

const std::string &code_fingerprint() {
    static const std::string fingerprint = CONVGEN_CODE_FINGERPRINT;
    return fingerprint;
}

const std::string &halide_version() {
    static const std::string version = std::to_string(HALIDE_VERSION_MAJOR) + '.' +
                                       std::to_string(HALIDE_VERSION_MINOR) + '.' +
                                       std::to_string(HALIDE_VERSION_PATCH);
    return version;
}

const std::string &build_identity() {
    static const std::string identity =
        "convgen " + convgen_version() + " code " + code_fingerprint() + " halide " + halide_version();
    return identity;
}

}  // namespace convgen::aot
