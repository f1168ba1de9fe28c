// Unfold (im2col) and fold (col2im) on CPUs: memory-bound copies, so the schedule is about
// streaming whole vectors with no per-element boundary tests and enough parallel tasks.
#include "schedules/hand/hand.h"

namespace convgen::schedules::hand {
namespace {

// The narrowest vector that covers a short row, else the natural width: a 7-wide row is
// better served by one 8-lane vector than by a 16-lane one that is mostly masked off.
int row_vector_width(int64_t extent, const Halide::Target &target) {
    int width = target.natural_vector_size<float>();
    while (width > 4 && width / 2 >= extent) width /= 2;
    return width;
}

// Vectorised along rows with the last vector of a row masked. (Shifting it back over lanes
// already stored measured up to 4x slower on these copies.)
void vectorize_rows(Halide::Func f, const Halide::Var &row, int64_t row_extent, const Halide::Target &target) {
    f.vectorize(row, row_vector_width(row_extent, target), Halide::TailStrategy::GuardWithIf);
}

}  // namespace

bool uses_sliding_window_copy(const OpSpec &spec, const Halide::Target &target) {
    return (spec.op == OpKind::Unfold || spec.op == OpKind::Fold) && !target.has_gpu_feature() &&
           spec.layout == Layout::NCHW;
}

void schedule_unfold(GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &target) {
    Halide::Func output = p.output;
    const std::vector<Halide::Var> v = output.args();
    const Halide::Var &bx = v[0], &ki = v[3], &c = v[4], &n = v[5];  // (bx, by, kj, ki, c, n)
    Halide::Var task("task");
    // One task per tap row of a channel when that writes enough: tasks even for three-channel
    // images, each writing kW planes in order (per channel measured 3.5x slower at 64x56x56,
    // k3). Small planes go by groups of channels: per tap row, neighbouring tasks shared cache
    // lines, 15x slower on 2 threads at 512x7x7.
    const double tap_row_bytes = 4.0 * double(spec.window.kernel.w * spec.out.w * spec.out.h);
    if (tap_row_bytes >= kTaskBytes) {
        output.fuse(ki, c, task).fuse(task, n, task).parallel(task);
    } else {
        parallel_over_channel_groups(output, c, n, tap_row_bytes * double(spec.window.kernel.h), spec.channels);
    }
    vectorize_rows(output, bx, spec.out.w, target);
    // A strided window over a padded image reads the edge vectors with per-lane boundary tests
    // (a gather); with rows of a vector or more, staging the padded image once costs less.
    const bool strided = spec.window.stride.h > 1 || spec.window.stride.w > 1;
    if (spec.window.pads() && strided && spec.out.w >= target.natural_vector_size<float>()) {
        Halide::Var plane("plane");
        Halide::Func padded = p.stage(generator::stage::kPaddedInput);
        padded.compute_root().fuse(p.dims.c, p.dims.n, plane).parallel(plane);
        vectorize_rows(padded, p.dims.x, spec.image.w + spec.window.pad_begin.w + spec.window.pad_end.w, target);
    }
}

void schedule_fold(GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &target) {
    // output(x, y, c, n) summed from the stride phases per image channel, the phase rows
    // vectorised at the width that fits them.
    Halide::Func output = p.output;
    const Halide::Var channel =
        parallel_over_channel_groups(output, p.dims.c, p.dims.n, 4.0 * double(spec.image.w * spec.image.h), spec.channels);
    vectorize_rows(output, p.dims.x, spec.image.w, target);
    const int64_t phase_row = (spec.image.w + spec.window.stride.w - 1) / spec.window.stride.w;
    schedule_fold_phases(p.stage(generator::stage::kFoldPhases), output, channel,
                         row_vector_width(phase_row, target));
}

}  // namespace convgen::schedules::hand
