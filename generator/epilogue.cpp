#include "generator/epilogue.h"

namespace convgen::generator {

Halide::Expr initial_value(const std::optional<Halide::ImageParam> &bias, const Halide::Expr &channel) {
    return bias ? (*bias)(channel) : Halide::Expr(0.0f);
}

namespace {

// NaN tested on the bits: Halide compiles float maths with LLVM's no-NaNs flag, which lets LLVM
// fold is_nan() to false (and min/max need not keep NaN), so only an integer test survives.
Halide::Expr is_nan_bits(const Halide::Expr &value) {
    return (Halide::reinterpret(Halide::Int(32), value) & 0x7fffffff) > 0x7f800000;
}

}  // namespace

Halide::Expr activate(const Halide::Expr &value, Activation activation) {
    switch (activation) {
    case Activation::None: return value;
    case Activation::Relu: return Halide::select(is_nan_bits(value), value, Halide::max(value, 0.0f));
    case Activation::Relu6: return Halide::select(is_nan_bits(value), value, Halide::clamp(value, 0.0f, 6.0f));
    }
    return value;
}

}  // namespace convgen::generator
