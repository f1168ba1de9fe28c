#include "op_options.h"

namespace convgen::cli {

OpOptions::OpOptions(CLI::App *command) : command_(command) {
    add("--stride", stride_, "A or A,B");
    add("--padding", padding_, "A, A,B, same or valid");
    add("--dilation", dilation_, "A or A,B");
    add("--groups", groups_, "groups");
    add("--padding-mode", padding_mode_, "zeros, reflect, replicate or circular");
    add("--output-padding", output_padding_, "A or A,B (conv_transpose)");
    add("--kernel-size", kernel_size_, "A or A,B (unfold, fold)");
    add("--output-size", output_size_, "A or A,B (fold)");
    add("--activation", activation_, "none, relu or relu6");
    add("--layout", layout_, "nchw or nhwc: memory order of the image tensors");
    add("--schedule", schedule_, "schedule name (default: hand)");
    add("--algorithm", algorithm_,
        "direct, unfold_matmul_fold, winograd (3x3 and 1x3 stride-1 convs) or auto (direct or winograd, whichever is "
        "faster here)");
}

void OpOptions::refuse(const std::string &op, std::initializer_list<const char *> names) const {
    for (const char *name : names) {
        if (options_.count(name) && given(name)) throw Error(std::string(name) + " does not apply to " + op);
    }
}

void OpOptions::refuse_inapplicable(const std::string &op) const {
    if (op == "block") {  // the spec file holds every layer's options
        refuse(op, {"--weight", "--bias", "--stride", "--padding", "--dilation", "--groups", "--padding-mode",
                    "--output-padding", "--kernel-size", "--output-size", "--activation", "--algorithm", "--bn-mean",
                    "--bn-var", "--bn-weight", "--bn-bias", "--bn-eps"});
        return;
    }
    refuse(op, {"--spec", "--weights-dir", "--fusion", "--residual"});
    if (op == "unfold" || op == "fold") {
        refuse(op, {"--weight", "--bias", "--groups", "--padding-mode", "--output-padding", "--activation", "--bn-mean",
                    "--bn-var", "--bn-weight", "--bn-bias", "--bn-eps", "--weight-shape"});
        return;
    }
    refuse(op, {"--kernel-size", "--output-size"});
    if (!op.starts_with("conv_transpose")) refuse(op, {"--output-padding"});
}

UnfoldOptions OpOptions::unfold_options() const {
    if (!given("--kernel-size")) throw Error("--kernel-size is required for unfold");
    UnfoldOptions options(parse_spatial("--kernel-size", kernel_size_, 2));
    options.dilation(parse_spatial("--dilation", dilation_, 2))
        .padding(parse_spatial("--padding", padding_, 2))
        .stride(parse_spatial("--stride", stride_, 2));
    apply_execution(options);
    return options;
}

FoldOptions OpOptions::fold_options() const {
    if (!given("--output-size")) throw Error("--output-size is required for fold");
    if (!given("--kernel-size")) throw Error("--kernel-size is required for fold");
    FoldOptions options(parse_spatial("--output-size", output_size_, 2), parse_spatial("--kernel-size", kernel_size_, 2));
    options.dilation(parse_spatial("--dilation", dilation_, 2))
        .padding(parse_spatial("--padding", padding_, 2))
        .stride(parse_spatial("--stride", stride_, 2));
    apply_execution(options);
    return options;
}

}  // namespace convgen::cli
