#pragma once
// The whole convgen command line as a function, apart from main, so tests and the argument fuzzer
// can drive it in-process.
#include <cstdio>

namespace convgen::cli {

enum class Execution {
    Full,       // parse, then run the chosen subcommand (`check`, the main job, when none is named)
    ParseOnly,  // parse and check the arguments; run nothing
};

// Returns the exit status: 0 success, 2 invalid input or usage, 1 other failure. Each error is one
// "error: ..." line on `errors`; help text goes to stdout.
int run_command_line(int argc, const char *const *argv, Execution execution = Execution::Full,
                     std::FILE *errors = stderr);

}  // namespace convgen::cli
