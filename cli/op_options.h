#pragma once
// The op options `convgen run` and `convgen compile` share: registered on a subcommand, then
// turned into the layer options the runtime validates (so both commands accept exactly the same
// calls, with the same errors).
#include <map>
#include <string>

#include <CLI/CLI.hpp>

#include "convgen/convgen.h"
#include "spatial_args.h"

namespace convgen::cli {

template <typename Enum>
Enum parse_choice(const std::string &option, const std::string &text) {
    Enum value{};
    if (!parse(text, value)) throw Error("invalid " + option + " '" + text + "'");
    return value;
}

inline const std::vector<std::string> kOps{"conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "unfold", "fold"};

class OpOptions {
public:
    // Registers the shared options on `command`.
    explicit OpOptions(CLI::App *command);

    // Registers a command's own option, so given()/refuse() know it too.
    template <typename T>
    CLI::Option *add(const std::string &name, T &value, const std::string &help) {
        return options_[name] = command_->add_option(name, value, help);
    }
    CLI::Option *add_flag(const std::string &name, bool &value, const std::string &help) {
        return options_[name] = command_->add_flag(name, value, help);
    }
    bool given(const std::string &name) const { return options_.at(name)->count() > 0; }
    // Options that mean nothing for this op are errors, not silently ignored.
    void refuse(const std::string &op, std::initializer_list<const char *> names) const;
    // Refuses what does not apply to `op` among the shared options.
    void refuse_inapplicable(const std::string &op) const;

    Layout layout() const { return parse_choice<Layout>("--layout", layout_); }
    const std::string &schedule() const { return schedule_; }

    // A conv's options: channels and kernel size from the weight's PyTorch shape, as F.conv2d.
    template <typename Options, size_t D>
    Options conv_options(const std::string &op, const Shape &weight, bool bias) const;
    UnfoldOptions unfold_options() const;
    FoldOptions fold_options() const;

private:
    template <typename Options>
    void apply_execution(Options &o) const {
        o.layout(layout()).algorithm(parse_choice<Algorithm>("--algorithm", algorithm_)).schedule(schedule_);
    }
    template <typename Options, size_t D>
    void apply_padding(const std::string &op, Options &options) const;

    CLI::App *command_;
    std::map<std::string, CLI::Option *> options_;
    std::string stride_ = "1", padding_ = "0", dilation_ = "1", output_padding_ = "0", kernel_size_, output_size_;
    int64_t groups_ = 1;
    std::string padding_mode_ = "zeros", activation_ = "none", layout_ = "nchw", schedule_{kDefaultSchedule},
                algorithm_ = "direct";
};

template <typename Options, size_t D>
void OpOptions::apply_padding(const std::string &op, Options &options) const {
    constexpr bool transposed = std::is_same_v<Options, ConvTransposeOptions<D>>;
    if constexpr (transposed) {
        if (padding_ == "same" || padding_ == "valid") {
            throw Error(op + " does not support string padding '" + padding_ + "'");
        }
        options.padding(parse_spatial("--padding", padding_, D))
            .output_padding(parse_spatial("--output-padding", output_padding_, D));
    } else if (padding_.find_first_not_of("0123456789,-") != std::string::npos) {
        options.padding(padding_);  // 'same', 'valid', or rejected by the layer
    } else {
        options.padding(parse_spatial("--padding", padding_, D));
    }
}

template <typename Options, size_t D>
Options OpOptions::conv_options(const std::string &op, const Shape &w, bool bias) const {
    constexpr bool transposed = std::is_same_v<Options, ConvTransposeOptions<D>>;
    if (w.size() != D + 2) {
        std::string sizes;
        for (size_t i = 0; i < w.size(); ++i) sizes += (i ? ", " : "") + std::to_string(w[i]);
        throw Error("expected a " + std::to_string(D + 2) + "-dimensional weight for " + op +
                    ", but got weight of size [" + sizes + "]");
    }
    const int64_t groups = groups_;
    std::vector<int64_t> kernel(w.begin() + 2, w.end());
    Options options = transposed ? Options(w[0], w[1] * groups, kernel) : Options(w[1] * groups, w[0], kernel);
    options.groups(groups)
        .stride(parse_spatial("--stride", stride_, D))
        .dilation(parse_spatial("--dilation", dilation_, D))
        .bias(bias)
        .padding_mode(padding_mode_);
    apply_padding<Options, D>(op, options);
    apply_execution(options);
    options.activation(parse_choice<Activation>("--activation", activation_));
    return options;
}

}  // namespace convgen::cli
