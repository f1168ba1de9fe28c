#include "app.h"

#include "convgen/errors.h"
#include "subcommand.h"

namespace convgen::cli {

int run_command_line(int argc, const char *const *argv, Execution execution, std::FILE *errors) {
    CLI::App app("convgen: a JIT-compiling convolution code generator", "convgen");
    app.require_subcommand(0, 1);
    const auto run_command = add_run_command(app);
    const auto check_command = add_check_command(app);
    const auto compile_command = add_compile_command(app);
    const auto bench_command = add_bench_command(app);
    const auto tune_command = add_tune_command(app);
    const auto cache_command = add_cache_command(app);
    try {
        app.parse(argc, argv);
        if (execution == Execution::Full) {
            Subcommand &chosen = app.got_subcommand("run")       ? *run_command
                                 : app.got_subcommand("compile") ? *compile_command
                                 : app.got_subcommand("bench")   ? *bench_command
                                 : app.got_subcommand("tune")    ? *tune_command
                                 : app.got_subcommand("cache")   ? *cache_command
                                                                 : *check_command;
            chosen.run();
        }
        return 0;
    } catch (const CLI::CallForHelp &) {
        std::fputs((app.get_subcommands().empty() ? app.help() : app.get_subcommands().front()->help()).c_str(), stdout);
        return 0;
    } catch (const CLI::Success &) {
        return 0;
    } catch (const CLI::ParseError &e) {
        std::fprintf(errors, "error: %s\n", e.what());
        return 2;
    } catch (const KernelError &e) {
        std::fprintf(errors, "error: %s\n", e.what());
        return 1;
    } catch (const Error &e) {
        std::fprintf(errors, "error: %s\n", e.what());
        return 2;
    } catch (const std::exception &e) {
        std::fprintf(errors, "error: %s\n", e.what());
        return 1;
    }
}

}  // namespace convgen::cli
