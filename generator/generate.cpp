#include "generator/generate.h"

namespace convgen::generator {

GeneratedPipeline generate(const OpSpec &spec) {
    if (spec.algorithm == Algorithm::Auto) throw std::logic_error("Algorithm::Auto reached the generator unresolved");
    switch (spec.op) {
    case OpKind::Conv: return generate_conv(spec);
    case OpKind::ConvTranspose: return generate_conv_transpose(spec);
    case OpKind::Unfold: return generate_unfold(spec);
    case OpKind::Fold: return generate_fold(spec);
    }
    throw std::logic_error("unknown op kind");
}

}  // namespace convgen::generator
