#pragma once
// Layer options in libtorch's builder style:
//   Conv2dOptions(3, 64, 7).stride(2).padding(3).bias(false).padding_mode(PaddingMode::Reflect)
// Options only store values; layers validate them as PyTorch does when they are constructed.
#include <array>
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <variant>
#include <vector>

#include "convgen/errors.h"
#include "convgen/op_spec.h"

namespace convgen {

// libtorch-style builder setter/getter pair.
#define CONVGEN_ARG(T, name)                            \
public:                                                 \
    auto &name(const T &new_##name) {                   \
        name##_ = new_##name;                           \
        return *this;                                   \
    }                                                   \
    const T &name() const { return name##_; }           \
                                                        \
private:                                                \
    T name##_

// D integers, from one integer (repeated) or a list of exactly D (libtorch's ExpandingArray).
template <size_t D>
class ExpandingArray {
public:
    ExpandingArray(int64_t value) { values_.fill(value); }
    ExpandingArray(std::initializer_list<int64_t> list) : ExpandingArray(std::vector<int64_t>(list)) {}
    ExpandingArray(const std::vector<int64_t> &list) {
        if (list.size() == 1) {
            values_.fill(list[0]);
            return;
        }
        if (list.size() != D) {
            throw ValueError("expected " + std::to_string(D) + " values, but got " + std::to_string(list.size()));
        }
        for (size_t i = 0; i < D; ++i) values_[i] = list[i];
    }
    int64_t operator[](size_t i) const { return values_[i]; }
    const std::array<int64_t, D> &values() const { return values_; }

private:
    std::array<int64_t, D> values_{};
};

enum class PaddingKind { Valid, Same };
inline constexpr PaddingKind kValid = PaddingKind::Valid;
inline constexpr PaddingKind kSame = PaddingKind::Same;

// Conv padding: integers, 'valid'/'same', or a string checked when the layer is built.
template <size_t D>
class Padding {
public:
    // A template, so a literal 0 is an integer and not a null `const char *`.
    template <std::integral Integer>
    Padding(Integer value) : value_(ExpandingArray<D>(int64_t(value))) {}
    Padding(std::initializer_list<int64_t> list) : value_(ExpandingArray<D>(list)) {}
    Padding(ExpandingArray<D> values) : value_(values) {}
    Padding(const std::vector<int64_t> &values) : value_(ExpandingArray<D>(values)) {}
    Padding(PaddingKind kind) : value_(kind) {}
    Padding(std::string name) : value_(std::move(name)) {}
    Padding(const char *name) : value_(std::string(name)) {}
    const std::variant<ExpandingArray<D>, PaddingKind, std::string> &value() const { return value_; }

private:
    std::variant<ExpandingArray<D>, PaddingKind, std::string> value_;
};

// A padding mode given as the enum or as PyTorch's string (checked when the layer is built).
class PaddingModeName {
public:
    PaddingModeName(PaddingMode mode) : name_(to_string(mode)) {}
    PaddingModeName(std::string name) : name_(std::move(name)) {}
    PaddingModeName(const char *name) : name_(name) {}
    const std::string &name() const { return name_; }

private:
    std::string name_;
};

// convgen's additions to PyTorch's options: how the kernel is generated and run.
template <typename Derived>
class ExecutionOptions {
public:
    Derived &activation(Activation v) { return set(activation_, v); }
    Derived &layout(Layout v) { return set(layout_, v); }
    Derived &algorithm(Algorithm v) { return set(algorithm_, v); }
    Derived &schedule(std::string v) { return set(schedule_, std::move(v)); }
    // A config for the schedule in its canonical text (`convgen tune` prints them), instead of
    // the tuning database's or the rules'. Checked at construction (syntax) and per input shape
    // (whether the schedule can honour it: ValueError otherwise).
    Derived &schedule_config(std::string v) { return set(schedule_config_, std::move(v)); }
    Activation activation() const { return activation_; }
    Layout layout() const { return layout_; }
    Algorithm algorithm() const { return algorithm_; }
    const std::string &schedule() const { return schedule_; }
    const std::string &schedule_config() const { return schedule_config_; }

private:
    template <typename T>
    Derived &set(T &field, T value) {
        field = std::move(value);
        return static_cast<Derived &>(*this);
    }
    Activation activation_ = Activation::None;
    Layout layout_ = Layout::NCHW;
    Algorithm algorithm_ = Algorithm::Direct;
    std::string schedule_{kDefaultSchedule};
    std::string schedule_config_;
};

template <size_t D>
struct ConvOptions : ExecutionOptions<ConvOptions<D>> {
    ConvOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
        : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
    CONVGEN_ARG(int64_t, in_channels);
    CONVGEN_ARG(int64_t, out_channels);
    CONVGEN_ARG(ExpandingArray<D>, kernel_size);
    CONVGEN_ARG(ExpandingArray<D>, stride) = 1;
    CONVGEN_ARG(Padding<D>, padding) = 0;
    CONVGEN_ARG(ExpandingArray<D>, dilation) = 1;
    CONVGEN_ARG(int64_t, groups) = 1;
    CONVGEN_ARG(bool, bias) = true;
    CONVGEN_ARG(PaddingModeName, padding_mode) = PaddingMode::Zeros;
};

template <size_t D>
struct ConvTransposeOptions : ExecutionOptions<ConvTransposeOptions<D>> {
    ConvTransposeOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
        : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
    CONVGEN_ARG(int64_t, in_channels);
    CONVGEN_ARG(int64_t, out_channels);
    CONVGEN_ARG(ExpandingArray<D>, kernel_size);
    CONVGEN_ARG(ExpandingArray<D>, stride) = 1;
    CONVGEN_ARG(ExpandingArray<D>, padding) = 0;
    CONVGEN_ARG(ExpandingArray<D>, output_padding) = 0;
    CONVGEN_ARG(ExpandingArray<D>, dilation) = 1;
    CONVGEN_ARG(int64_t, groups) = 1;
    CONVGEN_ARG(bool, bias) = true;
    CONVGEN_ARG(PaddingModeName, padding_mode) = PaddingMode::Zeros;
};

struct UnfoldOptions : ExecutionOptions<UnfoldOptions> {
    UnfoldOptions(ExpandingArray<2> kernel_size) : kernel_size_(kernel_size) {}
    CONVGEN_ARG(ExpandingArray<2>, kernel_size);
    CONVGEN_ARG(ExpandingArray<2>, dilation) = 1;
    CONVGEN_ARG(ExpandingArray<2>, padding) = 0;
    CONVGEN_ARG(ExpandingArray<2>, stride) = 1;
};

struct FoldOptions : ExecutionOptions<FoldOptions> {
    FoldOptions(ExpandingArray<2> output_size, ExpandingArray<2> kernel_size)
        : output_size_(output_size), kernel_size_(kernel_size) {}
    CONVGEN_ARG(ExpandingArray<2>, output_size);
    CONVGEN_ARG(ExpandingArray<2>, kernel_size);
    CONVGEN_ARG(ExpandingArray<2>, dilation) = 1;
    CONVGEN_ARG(ExpandingArray<2>, padding) = 0;
    CONVGEN_ARG(ExpandingArray<2>, stride) = 1;
};

using Conv1dOptions = ConvOptions<1>;
using Conv2dOptions = ConvOptions<2>;
using ConvTranspose1dOptions = ConvTransposeOptions<1>;
using ConvTranspose2dOptions = ConvTransposeOptions<2>;

}  // namespace convgen
