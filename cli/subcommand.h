#pragma once
// A CLI subcommand owns its parsed arguments, so it must outlive parsing; run_command_line (app.h)
// keeps each alive and runs the one that was chosen.
#include <memory>

#include <CLI/CLI.hpp>

namespace convgen::cli {

class Subcommand {
public:
    virtual ~Subcommand() = default;
    virtual void run() = 0;
};

// Each registers itself on `app`.
std::unique_ptr<Subcommand> add_run_command(CLI::App &app);
// `check` is also what `convgen` with no subcommand runs: the main job.
std::unique_ptr<Subcommand> add_check_command(CLI::App &app);
// `compile`: ahead-of-time kernels for a Halide target.
std::unique_ptr<Subcommand> add_compile_command(CLI::App &app);
// `bench`: schedules against each other and oneDNN.
std::unique_ptr<Subcommand> add_bench_command(CLI::App &app);
// `tune`: searches schedule configs on this machine into the tuning database.
std::unique_ptr<Subcommand> add_tune_command(CLI::App &app);
// `cache`: inspect and trim the disk kernel cache.
std::unique_ptr<Subcommand> add_cache_command(CLI::App &app);

}  // namespace convgen::cli
