// `convgen compile`: ahead-of-time kernels for any Halide target, one op (validated by the same
// layers `convgen run` uses) or a whole suite, written by the aot library.
#include <cctype>
#include <cstdio>
#include <set>

#include "aot/compile_library.h"
#include "aot/outputs.h"
#include "convgen/suite.h"
#include "convgen/threads.h"
#include "op_options.h"
#include "subcommand.h"

namespace convgen::cli {
namespace {

Shape parse_shape(const std::string &option, const std::string &text) {
    Shape shape;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = std::min(text.find(',', start), text.size());
        const std::string part = text.substr(start, comma - start);
        if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos) {
            throw Error("invalid " + option + " '" + text + "': expected comma-separated sizes");
        }
        shape.push_back(std::stoll(part));
        start = comma + 1;
    }
    return shape;
}

class CompileCommand : public Subcommand {
public:
    explicit CompileCommand(CLI::App &app)
        : command_(app.add_subcommand("compile", "generate ahead-of-time kernels for a Halide target")),
          options_(command_) {
        options_.add("--op", op_, "conv1d, conv2d, conv_transpose1d, conv_transpose2d, unfold, fold")
            ->check(CLI::IsMember(kOps));
        options_.add("--shape", shape_, "input sizes as the layer takes them, e.g. N,C,H,W");
        options_.add("--weight-shape", weight_shape_, "conv weight sizes in PyTorch's layout, e.g. O,I/g,KH,KW");
        options_.add_flag("--bias", bias_, "the conv has a bias");
        options_.add("--suite", suite_, "compile every layer of a suite .jsonl instead of one op");
        options_.add("--nets", nets_, "with --suite: only these networks")->delimiter(',');
        command_->add_option("--target", target_, "Halide target string (default: host)");
        command_->add_option("--tuning-db", tuning_db_,
                             "tuning database whose configs the `tuned` schedule uses (default: $CONVGEN_TUNING_DB, "
                             "else the cache directory's)")
            ->check(CLI::ExistingFile);
        command_->add_option("--threads", threads_,
                             "thread count the program will run at: which of the database's configs `tuned` takes, "
                             "and what the rules choose for (default: this machine's)")
            ->check(CLI::PositiveNumber);
        command_->add_option("--name", name_, "function name (with --suite: library name and function prefix)")
            ->required();
        command_->add_option("-o,--output-dir", output_dir_, "directory for the outputs")->required();
        std::string names;
        for (const std::string &n : aot::output_names()) names += (names.empty() ? "" : ", ") + n;
        command_->add_option("--emit", emit_, "outputs, comma-separated, from: " + names +
                                                  " (default: static_library,header; a manifest is always written)")
            ->delimiter(',');
    }

    void run() override {
        // It names C functions and files.
        if (name_.empty() || std::isdigit(static_cast<unsigned char>(name_.front())) ||
            name_.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
                std::string::npos) {
            throw Error("invalid --name '" + name_ + "': expected a C identifier");
        }
        if (!tuning_db_.empty()) set_tuning_database_path(tuning_db_);
        if (threads_ > 0) set_num_threads(threads_);
        aot::LibraryRequest request;
        request.name = name_;
        request.target = target_;
        request.schedule = options_.schedule();
        request.threads = num_threads();
        request.output_dir = output_dir_;
        if (!emit_.empty()) request.emit = emit_;
        request.kernels = options_.given("--suite") ? suite_kernels() : std::vector{one_kernel()};
        for (const auto &path : aot::compile_library(request)) std::printf("%s\n", path.c_str());
    }

private:
    aot::KernelRequest one_kernel() const {
        if (options_.given("--nets")) throw Error("--nets needs --suite");
        if (!options_.given("--op")) throw Error("--op or --suite is required");
        if (!options_.given("--shape")) throw Error("--shape is required");
        options_.refuse_inapplicable(op_);
        const Shape input = parse_shape("--shape", shape_);
        return {name_, spec_for(input)};
    }

    // The OpSpec a layer with these options lowers `input` to: the runtime's own validation.
    OpSpec spec_for(const Shape &input) const {
        if (op_ == "unfold") return Unfold(options_.unfold_options()).spec(input);
        if (op_ == "fold") return Fold(options_.fold_options()).spec(input);
        if (!options_.given("--weight-shape")) throw Error("--weight-shape is required for " + op_);
        const Shape weight = parse_shape("--weight-shape", weight_shape_);
        if (op_ == "conv1d") return Conv1d(options_.conv_options<Conv1dOptions, 1>(op_, weight, bias_)).spec(input);
        if (op_ == "conv2d") return Conv2d(options_.conv_options<Conv2dOptions, 2>(op_, weight, bias_)).spec(input);
        if (op_ == "conv_transpose1d") {
            return ConvTranspose1d(options_.conv_options<ConvTranspose1dOptions, 1>(op_, weight, bias_)).spec(input);
        }
        return ConvTranspose2d(options_.conv_options<ConvTranspose2dOptions, 2>(op_, weight, bias_)).spec(input);
    }

    // Every distinct layer of the suite (a conv2d each), named <name>_<layer>.
    std::vector<aot::KernelRequest> suite_kernels() const {
        if (options_.given("--op") || options_.given("--shape")) throw Error("--suite replaces --op and --shape");
        const std::set<std::string> nets(nets_.begin(), nets_.end());
        std::set<std::string> keys;
        std::vector<aot::KernelRequest> kernels;
        for (const SuiteLayer &layer : read_suite(suite_)) {
            if (!nets.empty() && !nets.count(layer.net)) continue;
            Conv2dOptions conv = layer.options();
            conv.schedule(options_.schedule()).layout(options_.layout());
            const OpSpec spec = Conv2d(conv).spec(layer.input_shape());
            if (keys.insert(spec.key()).second) kernels.push_back({name_ + "_" + layer.name, spec});
        }
        if (kernels.empty()) throw Error("no layer selected from '" + suite_ + "'");
        return kernels;
    }

    CLI::App *command_;
    OpOptions options_;
    std::string op_, shape_, weight_shape_, suite_, target_ = "host", name_, output_dir_, tuning_db_;
    std::vector<std::string> nets_, emit_;
    bool bias_ = false;
    int threads_ = 0;
};

}  // namespace

std::unique_ptr<Subcommand> add_compile_command(CLI::App &app) { return std::make_unique<CompileCommand>(app); }

}  // namespace convgen::cli
