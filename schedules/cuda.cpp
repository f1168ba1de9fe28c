// A CUDA schedule for every op: the output in 2-D thread blocks over its two innermost dims (the
// innermost in memory across threads, so loads and stores coalesce), the remaining dims fused
// into a third block dim; each thread keeps its reduction in registers. Only for targets with a
// GPU feature; never changes what is computed.
#include "convgen/errors.h"
#include "schedules/registry.h"

namespace convgen::schedules {
namespace {

using generator::GeneratedPipeline;
namespace stage = generator::stage;

constexpr int kThreadsX = 32, kThreadsY = 4;

// Returns the innermost thread var, where per-thread stages are computed.
Halide::Var tile_output(Halide::Func output) {
    std::vector<Halide::Var> dims = output.args();
    Halide::Var plane = dims[2];
    for (size_t d = 3; d < dims.size(); ++d) {
        Halide::Var fused("plane" + std::to_string(d));
        output.fuse(plane, dims[d], fused);
        plane = fused;
    }
    Halide::Var xo("xo"), yo("yo"), xi("xi"), yi("yi");
    output.gpu_tile(dims[0], dims[1], xo, yo, xi, yi, kThreadsX, kThreadsY, Halide::TailStrategy::GuardWithIf)
        .gpu_blocks(plane);
    return xi;
}

// A reduction accumulated per thread: its loops run inside the thread, in registers.
void per_thread(GeneratedPipeline &p, const char *name, Halide::Func output, const Halide::Var &thread) {
    if (p.has_stage(name)) p.stage(name).compute_at(output, thread);
}

}  // namespace

void schedule_cuda(GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &target) {
    if (!target.has_gpu_feature()) {
        throw ValueError("schedule 'cuda' needs a GPU target (e.g. x86-64-linux-cuda), not " + target.to_string());
    }
    (void)spec;
    const Halide::Var thread = tile_output(p.output);
    per_thread(p, stage::kAccumulator, p.output, thread);
    if (p.has_stage(stage::kColumns)) {
        // im2col columns as their own GPU pass, one thread per column element.
        Halide::Func columns = p.stage(stage::kColumns);
        columns.compute_root();
        tile_output(columns);
        if (columns.num_update_definitions() > 0) {
            // The matmul of conv_transpose's columns: its update runs per thread as well.
            std::vector<Halide::Var> dims = columns.args();
            Halide::Var xo("cxo"), yo("cyo"), xi("cxi"), yi("cyi");
            columns.update().gpu_tile(dims[0], dims[1], xo, yo, xi, yi, kThreadsX, kThreadsY,
                                      Halide::TailStrategy::GuardWithIf);
        }
    }
}

}  // namespace convgen::schedules
