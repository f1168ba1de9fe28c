// convgen's block variants: a ConvBlock fused, layer by layer, or as it chooses, on NHWC tensors.
#include "block_runners.h"
#include "convgen/threads.h"

namespace convgen::bench {
namespace {

class ConvgenBlockRunner : public Runner {
public:
    ConvgenBlockRunner(const SuiteBlock &b, BlockFusion fusion, Algorithm algorithm)
        : block_(b.make_block(Layout::NHWC, fusion, std::string(kDefaultSchedule), algorithm)), shape_(b.input_shape()),
          input_(random_input(shape_, Layout::NHWC)) {
        const Shape out = block_.output_shape(shape_);
        output_ = Tensor(out, layout_strides(out, 1, Layout::NHWC));
        block_.prepare(shape_);
    }
    void run() override { block_.forward(input_, output_.view()); }
    std::string plan() const override { return block_.plan(shape_); }

private:
    ConvBlock block_;
    Shape shape_;
    Tensor input_, output_;
};

}  // namespace

std::unique_ptr<Runner> make_convgen_block_runner(const SuiteBlock &block, BlockFusion fusion, Algorithm algorithm,
                                                  int threads) {
    set_num_threads(threads);
    return std::make_unique<ConvgenBlockRunner>(block, fusion, algorithm);
}

}  // namespace convgen::bench
