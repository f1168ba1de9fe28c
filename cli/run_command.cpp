#include <memory>
#include <optional>

#include "convgen/convgen.h"
#include "npy.h"
#include "spatial_args.h"
#include "subcommand.h"

namespace convgen::cli {
namespace {

struct RunArgs {
    std::string op, input, weight, bias, output;
    std::string stride = "1", padding = "0", dilation = "1", output_padding = "0", kernel_size, output_size;
    int64_t groups = 1;
    std::string padding_mode = "zeros", activation = "none", layout = "nchw", schedule = "default",
                algorithm = "direct";
    std::string bn_mean, bn_var, bn_weight, bn_bias;
    double bn_eps = 1e-5;
};

template <typename Enum>
Enum parse_choice(const std::string &option, const std::string &text) {
    Enum value{};
    if (!parse(text, value)) throw Error("invalid " + option + " '" + text + "'");
    return value;
}

// A .npy array as the op's logical (N, C, spatial...) view: with --layout nhwc the file holds
// channels last, (N, spatial..., C), which is a channels-last view of the logical tensor.
ConstTensorView logical_view(const Tensor &file, size_t spatial_rank, Layout layout) {
    const size_t rank = size_t(file.dim());
    if (layout != Layout::NHWC || (rank != spatial_rank + 1 && rank != spatial_rank + 2)) return file.view();
    const size_t channel_dim = rank == spatial_rank + 2 ? 1 : 0;
    Shape sizes = file.sizes();
    const int64_t channels = sizes.back();
    sizes.pop_back();
    sizes.insert(sizes.begin() + int64_t(channel_dim), channels);
    return ConstTensorView(file.data(), sizes, channels_last_strides(sizes, channel_dim));
}

// The file shape of an image result: channels moved last for nhwc.
Shape file_shape(const Tensor &result, size_t spatial_rank, Layout layout) {
    Shape sizes = result.sizes();
    if (layout != Layout::NHWC) return sizes;
    const size_t channel_dim = sizes.size() == spatial_rank + 2 ? 1 : 0;
    const int64_t channels = sizes[channel_dim];
    sizes.erase(sizes.begin() + int64_t(channel_dim));
    sizes.push_back(channels);
    return sizes;
}

class RunCommand : public Subcommand {
public:
    explicit RunCommand(CLI::App &app) : command_(app.add_subcommand("run", "run one op on .npy files")) {
        command_->add_option("op", args_.op, "conv1d, conv2d, conv_transpose1d, conv_transpose2d, unfold, fold")
            ->required()
            ->check(CLI::IsMember({"conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "unfold", "fold"}));
        command_->add_option("--input", args_.input, "input .npy (float32)")->required();
        command_->add_option("--output", args_.output, "output .npy, written only on success")->required();
        add("--weight", args_.weight, "weight .npy in PyTorch's layout");
        add("--bias", args_.bias, "bias .npy");
        add("--stride", args_.stride, "A or A,B");
        add("--padding", args_.padding, "A, A,B, same or valid");
        add("--dilation", args_.dilation, "A or A,B");
        add("--groups", args_.groups, "groups");
        add("--padding-mode", args_.padding_mode, "zeros, reflect, replicate or circular");
        add("--output-padding", args_.output_padding, "A or A,B (conv_transpose)");
        add("--kernel-size", args_.kernel_size, "A or A,B (unfold, fold)");
        add("--output-size", args_.output_size, "A or A,B (fold)");
        add("--activation", args_.activation, "none, relu or relu6");
        add("--bn-mean", args_.bn_mean, "BatchNorm running mean .npy, folded into the conv");
        add("--bn-var", args_.bn_var, "BatchNorm running variance .npy");
        add("--bn-weight", args_.bn_weight, "BatchNorm weight (gamma) .npy");
        add("--bn-bias", args_.bn_bias, "BatchNorm bias (beta) .npy");
        add("--bn-eps", args_.bn_eps, "BatchNorm eps (default 1e-5)");
        add("--layout", args_.layout, "nchw or nhwc: memory order of the image tensors");
        add("--schedule", args_.schedule, "schedule name (default: default)");
        add("--algorithm", args_.algorithm, "direct or unfold_matmul_fold");
        command_->callback([this] { run(); });
    }

private:
    template <typename T>
    void add(const std::string &name, T &value, const std::string &help) {
        options_[name] = command_->add_option(name, value, help);
    }
    bool given(const std::string &name) const { return options_.at(name)->count() > 0; }
    // Options that mean nothing for this op are errors, not silently ignored.
    void refuse(std::initializer_list<const char *> names) const {
        for (const char *name : names) {
            if (given(name)) throw Error(std::string(name) + " does not apply to " + args_.op);
        }
    }

    template <typename Options>
    void apply_execution(Options &o) const {
        o.layout(parse_choice<Layout>("--layout", args_.layout))
            .algorithm(parse_choice<Algorithm>("--algorithm", args_.algorithm))
            .schedule(args_.schedule);
    }

    void run() override {
        const Layout layout = parse_choice<Layout>("--layout", args_.layout);
        const Tensor input = read_npy(args_.input);
        const std::string &op = args_.op;
        Tensor result;
        size_t spatial_rank = 2;
        if (op == "unfold" || op == "fold") {
            refuse({"--weight", "--bias", "--groups", "--padding-mode", "--output-padding", "--activation", "--bn-mean",
                    "--bn-var", "--bn-weight", "--bn-bias", "--bn-eps"});
            result = op == "unfold" ? run_unfold(input, layout) : run_fold(input, layout);
        } else {
            refuse({"--kernel-size", "--output-size"});
            const bool transposed = op.starts_with("conv_transpose");
            spatial_rank = op.ends_with("1d") ? 1 : 2;
            if (!transposed) refuse({"--output-padding"});
            if (spatial_rank == 1) {
                result = transposed ? run_conv<ConvTranspose1d, ConvTranspose1dOptions, 1>(input, layout)
                                    : run_conv<Conv1d, Conv1dOptions, 1>(input, layout);
            } else {
                result = transposed ? run_conv<ConvTranspose2d, ConvTranspose2dOptions, 2>(input, layout)
                                    : run_conv<Conv2d, Conv2dOptions, 2>(input, layout);
            }
        }
        const bool image_result = op != "unfold";
        const Shape shape = image_result ? file_shape(result, spatial_rank, layout) : result.sizes();
        write_npy(args_.output, shape, result.data());
    }

    template <typename Layer, typename Options, size_t D>
    Tensor run_conv(const Tensor &input, Layout layout) const {
        if (!given("--weight")) throw Error("--weight is required for " + args_.op);
        const Tensor weight = read_npy(args_.weight);
        if (weight.dim() != int64_t(D) + 2) {
            throw Error("expected a " + std::to_string(D + 2) + "-dimensional weight for " + args_.op +
                        ", but got weight of size [" + join_sizes(weight.sizes()) + "]");
        }
        constexpr bool transposed = std::is_same_v<Options, ConvTransposeOptions<D>>;
        const Shape &w = weight.sizes();
        const int64_t groups = args_.groups;
        std::vector<int64_t> kernel(w.begin() + 2, w.end());
        Options options = transposed ? Options(w[0], w[1] * groups, kernel) : Options(w[1] * groups, w[0], kernel);
        options.groups(groups)
            .stride(parse_spatial("--stride", args_.stride, D))
            .dilation(parse_spatial("--dilation", args_.dilation, D))
            .bias(given("--bias"))
            .padding_mode(args_.padding_mode);
        if constexpr (transposed) {
            if (args_.padding == "same" || args_.padding == "valid") {
                throw Error(args_.op + " does not support string padding '" + args_.padding + "'");
            }
            options.padding(parse_spatial("--padding", args_.padding, D))
                .output_padding(parse_spatial("--output-padding", args_.output_padding, D));
        } else if (args_.padding.find_first_not_of("0123456789,-") != std::string::npos) {
            options.padding(args_.padding);  // 'same', 'valid', or rejected by the layer
        } else {
            options.padding(parse_spatial("--padding", args_.padding, D));
        }
        apply_execution(options);
        options.activation(parse_choice<Activation>("--activation", args_.activation));

        Layer layer(options);
        layer.set_weight(weight);
        std::optional<Tensor> bias;
        if (given("--bias")) layer.set_bias(bias.emplace(read_npy(args_.bias)));
        if (given("--bn-mean") || given("--bn-var") || given("--bn-weight") || given("--bn-bias")) {
            return layer.fuse_batch_norm(batch_norm()).forward(logical_view(input, D, layout));
        }
        return layer.forward(logical_view(input, D, layout));
    }

    BatchNormParams batch_norm() const {
        if (!given("--bn-mean") || !given("--bn-var")) throw Error("--bn-mean and --bn-var are both required");
        bn_tensors_.clear();
        auto load = [this](const std::string &path) -> const Tensor & {
            return *bn_tensors_.emplace_back(std::make_unique<Tensor>(read_npy(path)));
        };
        BatchNormParams bn{load(args_.bn_mean), load(args_.bn_var), std::nullopt, std::nullopt, args_.bn_eps};
        if (given("--bn-weight")) bn.weight = load(args_.bn_weight).view();
        if (given("--bn-bias")) bn.bias = load(args_.bn_bias).view();
        return bn;
    }

    Tensor run_unfold(const Tensor &input, Layout layout) const {
        if (!given("--kernel-size")) throw Error("--kernel-size is required for unfold");
        UnfoldOptions options(parse_spatial("--kernel-size", args_.kernel_size, 2));
        options.dilation(parse_spatial("--dilation", args_.dilation, 2))
            .padding(parse_spatial("--padding", args_.padding, 2))
            .stride(parse_spatial("--stride", args_.stride, 2));
        apply_execution(options);
        return Unfold(options).forward(logical_view(input, 2, layout));
    }

    Tensor run_fold(const Tensor &input, Layout) const {
        if (!given("--output-size")) throw Error("--output-size is required for fold");
        if (!given("--kernel-size")) throw Error("--kernel-size is required for fold");
        FoldOptions options(parse_spatial("--output-size", args_.output_size, 2),
                            parse_spatial("--kernel-size", args_.kernel_size, 2));
        options.dilation(parse_spatial("--dilation", args_.dilation, 2))
            .padding(parse_spatial("--padding", args_.padding, 2))
            .stride(parse_spatial("--stride", args_.stride, 2));
        apply_execution(options);
        return Fold(options).forward(input);
    }

    static std::string join_sizes(const Shape &s) {
        std::string text;
        for (size_t i = 0; i < s.size(); ++i) text += (i ? ", " : "") + std::to_string(s[i]);
        return text;
    }

    CLI::App *command_;
    RunArgs args_;
    std::map<std::string, CLI::Option *> options_;
    mutable std::vector<std::unique_ptr<Tensor>> bn_tensors_;
};

}  // namespace

std::unique_ptr<Subcommand> add_run_command(CLI::App &app) { return std::make_unique<RunCommand>(app); }

}  // namespace convgen::cli
