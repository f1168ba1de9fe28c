#pragma once
// A CLI subcommand owns its parsed arguments, so it must outlive parsing; main keeps each alive.
#include <memory>

#include <CLI/CLI.hpp>

namespace convgen::cli {

class Subcommand {
public:
    virtual ~Subcommand() = default;
    virtual void run() = 0;
};

// Each registers itself on `app` with a callback that runs it.
std::unique_ptr<Subcommand> add_run_command(CLI::App &app);
// `check` is also what `convgen` with no subcommand runs: the main job.
std::unique_ptr<Subcommand> add_check_command(CLI::App &app);

}  // namespace convgen::cli
