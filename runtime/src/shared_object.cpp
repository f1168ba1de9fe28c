#include "shared_object.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <HalideRuntime.h>

#include "convgen/errors.h"

extern char **environ;

namespace convgen::detail {
namespace {

namespace fs = std::filesystem;

// The shared Halide runtime this process uses; kernels link against it by path.
std::string halide_runtime_path() {
    Dl_info info{};
    if (dladdr(reinterpret_cast<void *>(&halide_set_num_threads), &info) == 0 || !info.dli_fname) {
        throw KernelError("cannot locate the shared Halide runtime library");
    }
    return fs::absolute(info.dli_fname).string();
}

std::string read_file(const fs::path &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream os;
    os << in.rdbuf();
    return os.str();
}

// A private scratch directory, removed when done.
class ScratchDirectory {
public:
    ScratchDirectory() {
        std::string pattern = (fs::temp_directory_path() / "convgen-link-XXXXXX").string();
        if (!mkdtemp(pattern.data())) throw KernelError("cannot create a scratch directory for linking a kernel");
        path_ = pattern;
    }
    ~ScratchDirectory() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    const fs::path &path() const { return path_; }

private:
    fs::path path_;
};

int run(const std::vector<std::string> &command, const fs::path &log) {
    std::vector<char *> argv;
    for (const std::string &arg : command) argv.push_back(const_cast<char *>(arg.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) return -1;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Halide's profiler (a `-profile` target) keeps each profiled kernel's statistics under names
// that are strings inside the kernel's library, and prints them at exit: print and drop them
// before a library goes, or that report reads unmapped memory.
void report_profiled_kernels() {
    halide_profiler_state *state = halide_profiler_get_state();
    halide_profiler_lock(state);
    const bool profiled = state->pipelines != nullptr;
    halide_profiler_unlock(state);
    if (profiled) {
        halide_profiler_report(nullptr);
        halide_profiler_reset();
    }
}

}  // namespace

std::string link_shared_object(const std::string &object_bytes) {
    const ScratchDirectory scratch;
    const fs::path object = scratch.path() / "kernel.o", library = scratch.path() / "kernel.so",
                   log = scratch.path() / "link.log";
    std::ofstream(object, std::ios::binary) << object_bytes;
    const char *compiler = std::getenv("CONVGEN_CXX");
    const std::vector<std::string> command{compiler && *compiler ? compiler : "c++", "-shared", "-o",
                                           library.string(), object.string(), halide_runtime_path()};
    if (run(command, log) != 0) {
        throw KernelError("linking a cached kernel with '" + command[0] + "' failed: " + read_file(log));
    }
    return read_file(library);
}

LoadedLibrary::~LoadedLibrary() {
    report_profiled_kernels();
    dlclose(handle_);
    close(fd_);
}

void *LoadedLibrary::symbol(const std::string &name) const { return dlsym(handle_, name.c_str()); }

std::shared_ptr<LoadedLibrary> load_shared_object(const std::string &bytes, std::string &error) {
    const int fd = memfd_create("convgen-kernel", MFD_CLOEXEC);
    if (fd < 0) {
        error = "memfd_create failed";
        return nullptr;
    }
    size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = write(fd, bytes.data() + written, bytes.size() - written);
        if (n <= 0) break;
        written += size_t(n);
    }
    std::shared_ptr<LoadedLibrary> library;
    if (written == bytes.size()) {
        const std::string path = "/proc/self/fd/" + std::to_string(fd);
        if (void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
            return std::make_shared<LoadedLibrary>(handle, fd);
        } else {
            const char *message = dlerror();
            error = message ? message : "dlopen failed";
        }
    } else {
        error = "cannot write the kernel into memory";
    }
    close(fd);
    return library;
}

}  // namespace convgen::detail
