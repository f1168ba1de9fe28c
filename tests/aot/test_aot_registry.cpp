// Kernels generated at build time by convgen_add_kernels (aot_suite.jsonl, for AVX2 and
// AVX-512) and linked into this test: the layers must use them with no JIT, and match the
// reference; anything else must still JIT.
#include <gtest/gtest.h>

#include <random>

#include "convgen/aot_kernel.h"
#include "convgen/cache.h"
#include "convgen/convgen.h"
#include "convgen/suite.h"
#include "reference/reference.h"

namespace convgen {
namespace {

std::vector<float> random_values(int64_t count, unsigned seed) {
    std::mt19937 engine(seed);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    std::vector<float> values(static_cast<size_t>(count));
    for (float &v : values) v = uniform(engine);
    return values;
}

class AotRegistry : public ::testing::Test {
protected:
    void SetUp() override { set_disk_cache_enabled(false); }  // AOT or JIT only, nothing from disk
};

TEST(AotTables, EverySuiteLayerIsLinkedForBothTargets) {
    size_t kernels = 0;
    for (const AotKernelTable *t = aot_kernel_tables(); t; t = t->next) kernels += t->count;
    EXPECT_EQ(kernels, 2 * read_suite(CONVGEN_AOT_SUITE).size());
}

TEST_F(AotRegistry, SuiteLayersRunTheLinkedKernelsAndMatchTheReference) {
    unsigned seed = 1;
    for (const SuiteLayer &layer : read_suite(CONVGEN_AOT_SUITE)) {
        SCOPED_TRACE(layer.name);
        Conv2d conv(layer.options());
        const Shape shape = layer.input_shape();
        const OpSpec spec = conv.spec(shape);
        std::vector<float> weight = random_values(conv.weight().numel(), seed++);
        conv.set_weight(TensorView(weight.data(), conv.weight().sizes));
        std::vector<float> bias;
        if (layer.bias) {
            bias = random_values(layer.out_channels, seed++);
            conv.set_bias(TensorView(bias.data(), {layer.out_channels}));
        }
        Tensor input(shape);
        const std::vector<float> x = random_values(input.numel(), seed++);
        std::copy(x.begin(), x.end(), input.data());

        const KernelCacheStats before = kernel_cache_stats();
        const Tensor output = conv.forward(input);
        const KernelCacheStats after = kernel_cache_stats();
        EXPECT_EQ(after.aot_hits, before.aot_hits + 1);
        EXPECT_EQ(after.compiles, before.compiles);

        const std::vector<float> expected =
            reference::run(spec, input.data(), weight.data(), layer.bias ? bias.data() : nullptr);
        EXPECT_LT(reference::relative_error(output.data(), expected), 1e-4);
    }
}

TEST_F(AotRegistry, AnUnlinkedShapeIsCompiled) {
    Conv2d conv(Conv2dOptions(3, 5, 3).padding(1));
    const KernelCacheStats before = kernel_cache_stats();
    conv.forward(Tensor({1, 3, 7, 7}));
    const KernelCacheStats after = kernel_cache_stats();
    EXPECT_EQ(after.aot_hits, before.aot_hits);
    EXPECT_EQ(after.compiles, before.compiles + 1);
}

TEST_F(AotRegistry, AnotherScheduleIsNotTheLinkedKernel) {
    const SuiteLayer layer = read_suite(CONVGEN_AOT_SUITE).front();
    Conv2d conv(layer.options().schedule("naive"));
    const KernelCacheStats before = kernel_cache_stats();
    conv.forward(Tensor(layer.input_shape()));
    EXPECT_EQ(kernel_cache_stats().aot_hits, before.aot_hits);
}

}  // namespace
}  // namespace convgen
