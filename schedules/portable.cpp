// A portable schedule for every op and target: parallel over the outer output dims, vectorised
// along the innermost memory dim, reductions computed per parallel task. Simple and correct;
// the tuned per-target schedules live beside it.
#include "schedules/registry.h"

namespace convgen::schedules {
namespace {

using generator::GeneratedPipeline;
namespace stage = generator::stage;

// Parallel over the two outermost output dims, vectorised along the innermost one.
Halide::Var parallel_outer(Halide::Func output, int vector_width) {
    std::vector<Halide::Var> dims = output.args();
    Halide::Var task("task");
    output.fuse(dims[dims.size() - 2], dims.back(), task).parallel(task);
    output.vectorize(dims.front(), vector_width, Halide::TailStrategy::GuardWithIf);
    return task;
}

// A reduction vectorised along `lane`, with the reduction loops outside the vector so each lane
// accumulates in a register.
void vectorize_reduction(Halide::Func reduction, const Halide::RDom &domain, const Halide::Var &lane,
                         int vector_width) {
    reduction.vectorize(lane, vector_width, Halide::TailStrategy::GuardWithIf);
    Halide::Var lane_outer("lane_outer"), lane_inner("lane_inner");
    Halide::Stage update = reduction.update();
    update.split(lane, lane_outer, lane_inner, vector_width, Halide::TailStrategy::GuardWithIf);
    std::vector<Halide::VarOrRVar> order{lane_inner};
    if (domain.defined()) {
        for (int i = 0; i < domain.dimensions(); ++i) order.emplace_back(domain[i]);
    }
    order.emplace_back(lane_outer);
    update.reorder(order).vectorize(lane_inner);
}

// A vectorised reduction computed inside each parallel task of its consumer.
void schedule_reduction(Halide::Func reduction, const Halide::RDom &domain, Halide::Func consumer,
                        const Halide::Var &at, const Halide::Var &lane, int vector_width) {
    reduction.compute_at(consumer, at);
    vectorize_reduction(reduction, domain, lane, vector_width);
}

// Materialise im2col-style columns (bx, by, kj, ki, c, n) once, parallel over channels x batch.
void materialize_columns(Halide::Func columns) {
    std::vector<Halide::Var> dims = columns.args();
    Halide::Var plane("plane");
    columns.compute_root().fuse(dims[4], dims[5], plane).parallel(plane);
}

// The logical dim (x, y, c, n) that is innermost in memory for the op's layout.
Halide::Var innermost_logical(const GeneratedPipeline &p, const OpSpec &spec) {
    return spec.layout == Layout::NHWC ? p.dims.c : p.dims.x;
}

}  // namespace

void schedule_fold_phases(Halide::Func phases, Halide::Func consumer, const Halide::Var &at, int vector_width) {
    const std::vector<Halide::Var> v = phases.args();  // (xo, px, yo, py, c, n)
    const std::vector<Halide::RVar> taps = phases.rvars();  // (kx, ky)
    phases.compute_at(consumer, at).vectorize(v[0], vector_width, Halide::TailStrategy::GuardWithIf);
    phases.update().reorder(v[0], v[2], taps[0], taps[1], v[1], v[3])
        .vectorize(v[0], vector_width, Halide::TailStrategy::GuardWithIf);
}

void schedule_portable(GeneratedPipeline &p, const OpSpec &spec, const Halide::Target &target) {
    if (p.has_stage(stage::kWinogradProduct)) return schedule_portable_winograd(p, spec, target);
    const int vector_width = target.natural_vector_size<float>();
    Halide::Var task = parallel_outer(p.output, vector_width);

    switch (spec.op) {
    case OpKind::Conv:
        if (p.has_stage(stage::kColumns)) {
            // Materialise im2col: that is what this algorithm is for.
            Halide::Func columns = p.stage(stage::kColumns);
            materialize_columns(columns);
            columns.vectorize(columns.args()[0], vector_width, Halide::TailStrategy::GuardWithIf);
        }
        schedule_reduction(p.stage(stage::kAccumulator), p.reduction, p.output, task,
                           innermost_logical(p, spec), vector_width);
        break;
    case OpKind::ConvTranspose: {
        Halide::Func accumulator = p.stage(stage::kAccumulator);
        if (p.has_stage(stage::kColumns)) {
            // The matmul's columns once, then col2im gathers them per output task.
            Halide::Func columns = p.stage(stage::kColumns);
            materialize_columns(columns);
            vectorize_reduction(columns, p.reduction, columns.args()[0], vector_width);
            accumulator.compute_at(p.output, task);
            schedule_fold_phases(p.stage(stage::kFoldPhases), p.output, task, vector_width);
        } else {
            schedule_reduction(accumulator, p.reduction, p.output, task, innermost_logical(p, spec),
                               vector_width);
        }
        break;
    }
    case OpKind::Unfold:
        break;
    case OpKind::Fold:
        schedule_fold_phases(p.stage(stage::kFoldPhases), p.output, task, vector_width);
        break;
    }
}

}  // namespace convgen::schedules
