#include "generator/epilogue.h"

namespace convgen::generator {

Halide::Expr initial_value(const std::optional<Halide::ImageParam> &bias, const Halide::Var &channel) {
    return bias ? (*bias)(channel) : Halide::Expr(0.0f);
}

Halide::Expr activate(const Halide::Expr &value, Activation activation) {
    switch (activation) {
    case Activation::None: return value;
    // Halide's min/max (and selects it simplifies into them) do not promise to keep NaN.
    case Activation::Relu: return Halide::select(Halide::is_nan(value), value, Halide::max(value, 0.0f));
    case Activation::Relu6:
        return Halide::select(Halide::is_nan(value), value, Halide::clamp(value, 0.0f, 6.0f));
    }
    return value;
}

}  // namespace convgen::generator
