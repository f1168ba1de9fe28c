// What a layer call costs beyond its arithmetic: Conv2d::forward on layers so small that the time
// is the layer API's own (plan and kernel lookup, buffer set-up, the kernel's entry), at 1 and 2
// threads. Small 1x1 layers of SqueezeNet and MobileNetV2 take 10-60 us, so each microsecond here
// is a few percent of theirs.
//   convgen_layer_call_bench [benchmark flags]
#include <benchmark/benchmark.h>

#include "convgen/convgen.h"

namespace {

void conv2d_forward(benchmark::State &state) {
    convgen::set_num_threads(int(state.range(1)));
    const int64_t size = state.range(0);
    const convgen::Shape shape{1, 16, size, size};
    convgen::Conv2d conv(convgen::Conv2dOptions(16, 16, 1).layout(convgen::Layout::NHWC));
    convgen::Tensor input(shape, convgen::layout_strides(shape, 1, convgen::Layout::NHWC));
    const convgen::Shape out = conv.output_shape(shape);
    convgen::Tensor output(out, convgen::layout_strides(out, 1, convgen::Layout::NHWC));
    conv.prepare(shape);
    for (auto _ : state) conv.forward(input, output.view());
}

BENCHMARK(conv2d_forward)
    ->ArgNames({"size", "threads"})
    ->ArgsProduct({{1, 8}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
