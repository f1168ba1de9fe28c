#include "aot/manifest.h"

#include <nlohmann/json.hpp>

#include "aot/build_identity.h"
#include "convgen/kernel_signature.h"

namespace convgen::aot {
namespace {

nlohmann::json buffers_json(const OpSpec &spec) {
    const std::vector<Extents> extents = kernel_buffer_extents(spec);
    std::vector<std::string> names{"input"};
    if (spec.op == OpKind::Conv || spec.op == OpKind::ConvTranspose) {
        names.push_back("weight");
        if (spec.bias) names.push_back("bias");
    }
    names.push_back("output");
    nlohmann::json buffers = nlohmann::json::array();
    for (size_t i = 0; i < extents.size(); ++i) {
        buffers.push_back({{"name", names[i]}, {"type", "float32"}, {"extents_innermost_first", extents[i]}});
    }
    return buffers;
}

}  // namespace

std::string manifest_json(const ManifestInfo &info, const std::vector<KernelRequest> &kernels) {
    nlohmann::json kernel_list = nlohmann::json::array();
    for (const KernelRequest &k : kernels) {
        kernel_list.push_back({{"function", k.function_name},
                               {"argv_function", k.function_name + "_argv"},
                               {"op", to_string(k.spec.op)},
                               {"key", k.spec.key()},
                               {"flops", k.spec.flops()},
                               {"buffers", buffers_json(k.spec)}});
    }
    const nlohmann::json manifest{{"format", "convgen-aot-manifest/1"},
                                  {"library", info.library_name},
                                  {"target", info.target},
                                  {"requested_target", info.requested_target},
                                  {"schedule", info.schedule},
                                  {"convgen_version", convgen_version()},
                                  {"code_fingerprint", code_fingerprint()},
                                  {"halide_version", halide_version()},
                                  {"files", info.files},
                                  {"kernels", kernel_list}};
    return manifest.dump(2) + "\n";
}

}  // namespace convgen::aot
