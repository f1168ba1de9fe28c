// `convgen check` (and `convgen` alone): JIT-compile and run every layer of the chosen networks,
// check each against the plain-loop reference on the same input, and print a table.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <sstream>

#include "convgen/convgen.h"
#include "convgen/suite.h"
#include "reference/reference.h"
#include "subcommand.h"

namespace convgen::cli {
namespace {

constexpr double kTolerance = 1e-4;

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

class CheckCommand : public Subcommand {
public:
    explicit CheckCommand(CLI::App &app) {
        CLI::App *command = app.add_subcommand("check", "JIT, run and verify the suite's layers (the default command)");
        command->add_option("--suite", suite_, "suite .jsonl file");
        command->add_option("--nets", nets_, "comma-separated networks to check")->delimiter(',');
        command->add_option("--schedule", schedule_, "schedule name");
        command->add_option("--threads", threads_, "threads (0: one per CPU)");
        command->add_option("--layout", layout_, "nchw or nhwc")->check(CLI::IsMember({"nchw", "nhwc"}));
        command->add_option("--repeats", repeats_, "timed runs per layer (median reported)")
            ->check(CLI::PositiveNumber);
    }

    void run() override {
        set_num_threads(threads_);
        std::vector<SuiteLayer> layers;
        const std::vector<SuiteLayer> suite = read_suite(suite_);
        for (const std::string &net : nets_) {
            const size_t before = layers.size();
            for (const SuiteLayer &l : suite) {
                if (l.net == net) layers.push_back(l);
            }
            if (layers.size() == before) throw Error("no layer of network '" + net + "' in '" + suite_ + "'");
        }

        std::printf("convgen check: %zu layers, schedule '%s', %d threads\n", layers.size(), schedule_.c_str(),
                    num_threads());
        std::printf("%-16s %-20s %9s %9s %9s %11s  %s\n", "layer", "output shape", "JIT ms", "run ms", "GFLOP/s",
                    "rel error", "check");
        std::mt19937 engine(42);
        std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
        int passed = 0, failed = 0;
        for (const SuiteLayer &l : layers) {
            Layout layout = Layout::NCHW;
            parse(layout_, layout);
            Conv2d conv(l.options().schedule(schedule_).layout(layout));
            const Shape shape = l.input_shape();
            Tensor input(shape, layout_strides(shape, 1, layout));
            std::generate(input.data(), input.data() + input.numel(), [&] { return uniform(engine); });

            auto start = Clock::now();
            conv.prepare(shape);
            const double jit_ms = ms_since(start);

            const Shape output_shape = conv.output_shape(shape);
            Tensor output(output_shape, layout_strides(output_shape, 1, layout));
            std::vector<double> times;
            for (int i = 0; i < repeats_; ++i) {
                start = Clock::now();
                conv.forward(input, output.view());
                times.push_back(ms_since(start));
            }
            std::nth_element(times.begin(), times.begin() + long(times.size() / 2), times.end());
            const double run_ms = times[times.size() / 2];

            const OpSpec spec = conv.spec(shape);
            const std::optional<ConstTensorView> bias = conv.bias();
            const std::vector<float> expected =
                reference::run(spec, input.data(), conv.weight().data, bias ? bias->data : nullptr);
            const double error = reference::relative_error(output.data(), expected);
            const bool ok = error <= kTolerance;
            (ok ? passed : failed)++;
            std::printf("%-16s %-20s %9.1f %9.2f %9.1f %11.2e  %s\n", l.name.c_str(),
                        format_shape(output.sizes()).c_str(), jit_ms, run_ms, spec.flops() / run_ms / 1e6, error,
                        ok ? "ok" : "MISMATCH");
            std::fflush(stdout);
        }
        std::printf("check: %d passed, %d failed\n", passed, failed);
        if (failed) throw Error(std::to_string(failed) + " layer(s) differ from the reference");
    }

private:
    std::string suite_ = std::string(CONVGEN_SUITE_DIR) + "/conv2d_public.jsonl";
    std::vector<std::string> nets_{"resnet50", "mobilenet_v2"};
    std::string schedule_{kDefaultSchedule};
    int threads_ = 0;
    std::string layout_ = "nchw";
    int repeats_ = 5;
};

}  // namespace

std::unique_ptr<Subcommand> add_check_command(CLI::App &app) {
    return std::make_unique<CheckCommand>(app);
}

}  // namespace convgen::cli
