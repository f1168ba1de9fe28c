#include "generator/epilogue.h"

namespace convgen::generator {

Halide::Expr initial_value(const std::optional<Halide::ImageParam> &bias, const Halide::Var &channel) {
    return bias ? (*bias)(channel) : Halide::Expr(0.0f);
}

Halide::Expr activate(const Halide::Expr &value, Activation activation) {
    switch (activation) {
    case Activation::None: return value;
    case Activation::Relu: return Halide::select(value < 0.0f, 0.0f, value);
    case Activation::Relu6:
        return Halide::select(value < 0.0f, 0.0f, Halide::select(value > 6.0f, 6.0f, value));
    }
    return value;
}

}  // namespace convgen::generator
