// convgen: run ops on .npy files, and check the JIT against the reference on the suite.
// Exit status: 0 success, 2 invalid input or usage (one "error: ..." line on stderr), 1 other failure.
#include <cstdio>

#include "convgen/errors.h"
#include "subcommand.h"

int main(int argc, char **argv) {
    CLI::App app("convgen: a JIT-compiling convolution code generator", "convgen");
    app.require_subcommand(0, 1);
    const auto run_command = convgen::cli::add_run_command(app);
    const auto check_command = convgen::cli::add_check_command(app);
    try {
        app.parse(argc, argv);
        if (app.get_subcommands().empty()) check_command->run();  // the main job
        return 0;
    } catch (const CLI::CallForHelp &) {
        std::fputs((app.get_subcommands().empty() ? app.help() : app.get_subcommands().front()->help()).c_str(), stdout);
        return 0;
    } catch (const CLI::Success &) {
        return 0;
    } catch (const CLI::ParseError &e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    } catch (const convgen::KernelError &e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    } catch (const convgen::Error &e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
