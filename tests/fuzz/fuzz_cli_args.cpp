// The convgen command line on arbitrary arguments, in-process (cli/app.h). Input: one argument per
// line. Every command line must end with exit status 0 or 2 (a clear "error: ..."), never a crash
// or an unexpected exception (status 1). `run` commands are carried out in a scratch directory
// holding small .npy files; anything else, or a `run` whose numbers or paths could make it slow or
// reach outside the scratch directory, is parsed and checked but not run.
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include <unistd.h>

#include "app.h"
#include "fuzz_support.h"
#include "npy.h"

namespace convgen::fuzz {
namespace {

namespace fs = std::filesystem;

// The files a fuzzed `run` may name, by the shapes they hold.
const std::vector<std::pair<std::string, Shape>> kScratchFiles{
    {"x2d.npy", {1, 2, 5, 5}}, {"w2d.npy", {2, 2, 3, 3}}, {"x1d.npy", {1, 2, 7}}, {"w1d.npy", {2, 2, 3}},
    {"b.npy", {2}},            {"cols.npy", {1, 8, 16}},  {"v.npy", {2}},
};

fs::path scratch;

void reset_scratch_directory() {
    for (const fs::directory_entry &entry : fs::directory_iterator(scratch)) fs::remove_all(entry);
    for (const auto &[name, shape] : kScratchFiles) {
        const Tensor values(shape);  // zeros: the values do not matter here, only the handling
        cli::write_npy((scratch / name).string(), shape, values.data());
    }
}

// Runs a command line from inside the scratch directory (libFuzzer's own paths stay relative to
// where it was started).
int run_in_scratch(const std::vector<const char *> &argv, cli::Execution execution, FILE *errors) {
    const fs::path previous = fs::current_path();
    fs::current_path(scratch);
    const int status = cli::run_command_line(int(argv.size()), argv.data(), execution, errors);
    fs::current_path(previous);
    return status;
}

// Lines of the input, without the trailing newline.
std::vector<std::string> split_lines(const uint8_t *data, size_t size) {
    std::vector<std::string> lines{""};
    for (size_t i = 0; i < size; ++i) {
        if (data[i] == '\n') lines.emplace_back();
        else lines.back().push_back(char(data[i]));
    }
    if (lines.back().empty()) lines.pop_back();
    return lines;
}

// A `run` on the scratch files only, with numbers small enough that its tensors stay tiny.
bool safe_to_run(const std::vector<std::string> &args) {
    static const std::regex big_number("[0-9]{3}");
    if (args.empty() || args[0] != "run") return false;
    for (const std::string &arg : args) {
        if (arg.find('/') != std::string::npos || std::regex_search(arg, big_number)) return false;
    }
    return true;
}

FILE *discard = nullptr;

}  // namespace
}  // namespace convgen::fuzz

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    using namespace convgen::fuzz;
    char name[] = "/tmp/convgen_fuzz_cli_XXXXXX";
    require(::mkdtemp(name) != nullptr, "cannot create the scratch directory");
    scratch = name;
    std::atexit([] { fs::remove_all(scratch); });
    discard = std::fopen("/dev/null", "w");
    require(discard != nullptr && std::freopen("/dev/null", "w", stdout) != nullptr, "cannot open /dev/null");
    reset_scratch_directory();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    using namespace convgen::fuzz;
    const std::vector<std::string> args = split_lines(data, size);
    std::vector<const char *> argv{"convgen"};
    for (const std::string &arg : args) argv.push_back(arg.c_str());
    const bool run = safe_to_run(args);
    const int status =
        run_in_scratch(argv, run ? convgen::cli::Execution::Full : convgen::cli::Execution::ParseOnly, discard);
    require(status == 0 || status == 2, "exit status other than 0 (success) or 2 (invalid input)");
    if (run) reset_scratch_directory();
    return 0;
}
