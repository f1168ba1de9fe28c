#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>

#include "convgen/block_suite.h"
#include "convgen/convgen.h"
#include "npy.h"
#include "op_options.h"
#include "subcommand.h"

namespace convgen::cli {
namespace {

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

// `run`'s ops: every op of `compile`, and a block of convs from a spec file.
const std::vector<std::string> kRunOps = [] {
    std::vector<std::string> ops = kOps;
    ops.push_back("block");
    return ops;
}();

// A block spec: one object of the block suite format (bench/suites/blocks_public.jsonl).
SuiteBlock read_block_spec(const std::string &path) {
    std::ifstream file(path);
    if (!file) throw Error("cannot open block spec '" + path + "'");
    std::stringstream text;
    text << file.rdbuf();
    try {
        return parse_block(text.str());
    } catch (const Error &e) {
        throw Error(path + ": invalid block spec: " + e.what());
    }
}

class RunCommand : public Subcommand {
public:
    explicit RunCommand(CLI::App &app)
        : command_(app.add_subcommand("run", "run one op on .npy files")), options_(command_) {
        command_->add_option("op", op_, "conv1d, conv2d, conv_transpose1d, conv_transpose2d, unfold, fold, block")
            ->required()
            ->check(CLI::IsMember(kRunOps));
        command_->add_option("--input", input_, "input .npy (float32)")->required();
        command_->add_option("--output", output_, "output .npy, written only on success")->required();
        options_.add("--weight", weight_, "weight .npy in PyTorch's layout");
        options_.add("--bias", bias_, "bias .npy");
        options_.add("--bn-mean", bn_mean_, "BatchNorm running mean .npy, folded into the conv");
        options_.add("--bn-var", bn_var_, "BatchNorm running variance .npy");
        options_.add("--bn-weight", bn_weight_, "BatchNorm weight (gamma) .npy");
        options_.add("--bn-bias", bn_bias_, "BatchNorm bias (beta) .npy");
        options_.add("--bn-eps", bn_eps_, "BatchNorm eps (default 1e-5)");
        options_.add("--spec", spec_, "block: the block's JSON (one entry of the block suite format)");
        options_.add("--weights-dir", weights_dir_,
                     "block: directory of layer<i>.weight.npy and layer<i>.bias.npy in PyTorch's layout");
        options_.add("--fusion", fusion_, "block: auto, fused or layers");
        options_.add("--residual", residual_, "block: the tensor added before the final activation (spec: \"given\")");
    }

    void run() override {
        const Layout layout = options_.layout();
        const Tensor input = read_npy(input_);
        const std::string &op = op_;
        options_.refuse_inapplicable(op);
        Tensor result;
        size_t spatial_rank = 2;
        if (op == "block") {
            result = run_block(input, layout);
        } else if (op == "unfold") {
            result = Unfold(options_.unfold_options()).forward(logical_view(input, 2, layout));
        } else if (op == "fold") {
            result = Fold(options_.fold_options()).forward(input);
        } else {
            const bool transposed = op.starts_with("conv_transpose");
            spatial_rank = op.ends_with("1d") ? 1 : 2;
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
        write_npy(output_, shape, result.data());
    }

private:
    bool given(const std::string &name) const { return options_.given(name); }

    template <typename Layer, typename Options, size_t D>
    Tensor run_conv(const Tensor &input, Layout layout) const {
        if (!given("--weight")) throw Error("--weight is required for " + op_);
        const Tensor weight = read_npy(weight_);
        Layer layer(options_.conv_options<Options, D>(op_, weight.sizes(), given("--bias")));
        layer.set_weight(weight);
        std::optional<Tensor> bias;
        if (given("--bias")) layer.set_bias(bias.emplace(read_npy(bias_)));
        if (given("--bn-mean") || given("--bn-var") || given("--bn-weight") || given("--bn-bias")) {
            return layer.fuse_batch_norm(batch_norm()).forward(logical_view(input, D, layout));
        }
        return layer.forward(logical_view(input, D, layout));
    }

    Tensor run_block(const Tensor &input, Layout layout) const {
        if (!given("--spec")) throw Error("--spec is required for block");
        if (!given("--weights-dir")) throw Error("--weights-dir is required for block");
        const BlockFusion fusion = parse_choice<BlockFusion>("--fusion", fusion_);
        const SuiteBlock spec = read_block_spec(spec_);
        if (spec.residual == Residual::Given && !given("--residual")) {
            throw Error("the spec's residual is \"given\": --residual is required");
        }
        if (spec.residual != Residual::Given && given("--residual")) {
            throw Error("--residual needs the spec's \"residual\" to be \"given\", not \"" +
                        std::string(to_string(spec.residual)) + "\"");
        }
        std::vector<Conv2d> layers = spec.make_layers(layout, options_.schedule());
        // Weights and biases as layer<i>.weight.npy / layer<i>.bias.npy; a file for a bias the
        // spec does not have is refused rather than ignored.
        for (size_t i = 0; i < layers.size(); ++i) {
            const std::filesystem::path stem = std::filesystem::path(weights_dir_) / ("layer" + std::to_string(i));
            const std::string weight = stem.string() + ".weight.npy", bias = stem.string() + ".bias.npy";
            load_into(weight, [&](const Tensor &w) { layers[i].set_weight(w); });
            if (spec.layers[i].bias) {
                load_into(bias, [&](const Tensor &b) { layers[i].set_bias(b); });
            } else if (std::filesystem::exists(bias)) {
                throw Error(bias + ": layer " + std::to_string(i) + " of the spec has no bias (\"bias\": false)");
            }
        }
        const ConvBlock block(std::move(layers), spec.block_options(fusion));
        const ConstTensorView x = logical_view(input, 2, layout);
        if (spec.residual != Residual::Given) return block.forward(x);
        const Tensor residual = read_npy(residual_);
        return block.forward(x, logical_view(residual, 2, layout));
    }

    // Reads `path` and hands it to `use`, naming the file in any error about its contents.
    static void load_into(const std::string &path, const std::function<void(const Tensor &)> &use) {
        const Tensor tensor = read_npy(path);
        try {
            use(tensor);
        } catch (const Error &e) {
            throw Error(path + ": " + e.what());
        }
    }

    BatchNormParams batch_norm() const {
        if (!given("--bn-mean") || !given("--bn-var")) throw Error("--bn-mean and --bn-var are both required");
        bn_tensors_.clear();
        auto load = [this](const std::string &path) -> const Tensor & {
            return *bn_tensors_.emplace_back(std::make_unique<Tensor>(read_npy(path)));
        };
        BatchNormParams bn{load(bn_mean_), load(bn_var_), std::nullopt, std::nullopt, bn_eps_};
        if (given("--bn-weight")) bn.weight = load(bn_weight_).view();
        if (given("--bn-bias")) bn.bias = load(bn_bias_).view();
        return bn;
    }

    CLI::App *command_;
    OpOptions options_;
    std::string op_, input_, weight_, bias_, output_, bn_mean_, bn_var_, bn_weight_, bn_bias_;
    std::string spec_, weights_dir_, fusion_ = "auto", residual_;
    double bn_eps_ = 1e-5;
    mutable std::vector<std::unique_ptr<Tensor>> bn_tensors_;
};

}  // namespace

std::unique_ptr<Subcommand> add_run_command(CLI::App &app) { return std::make_unique<RunCommand>(app); }

}  // namespace convgen::cli
