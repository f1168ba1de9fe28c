// The database files: locked appends, tolerant loads, merges, and the best record of a query.
#include "tuning/database.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <tuple>

#include "convgen/cache_directory.h"
#include "convgen/errors.h"

namespace convgen::tuning {
namespace {

std::string quoted(const std::filesystem::path &path) { return "'" + path.string() + "'"; }

class OpenFile {
public:
    explicit OpenFile(int fd) : fd_(fd) {}
    OpenFile(const OpenFile &) = delete;
    OpenFile &operator=(const OpenFile &) = delete;
    ~OpenFile() { close(fd_); }  // also releases the flock
    int fd() const { return fd_; }

private:
    int fd_;
};

void create_parent_directories(const std::filesystem::path &path) {
    if (!path.has_parent_path()) return;
    std::error_code error;
    std::filesystem::create_directories(path.parent_path(), error);
    if (error) throw RuntimeError("cannot create the directory " + quoted(path.parent_path()) + ": " + error.message());
}

// Opens the file now at `path` (creating it) and holds an exclusive flock on it. A merge replaces
// the file by rename while holding the lock, so one who waited for the lock checks that the path
// still names the file it locked, and otherwise retries on the new one.
std::unique_ptr<OpenFile> open_locked(const std::filesystem::path &path) {
    create_parent_directories(path);
    for (;;) {
        auto file = std::make_unique<OpenFile>(open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
        if (file->fd() < 0) {
            throw RuntimeError("cannot open the tuning database " + quoted(path) + ": " + std::strerror(errno));
        }
        while (flock(file->fd(), LOCK_EX) != 0) {
            if (errno != EINTR) throw RuntimeError("cannot lock " + quoted(path) + ": " + std::strerror(errno));
        }
        struct stat locked{}, current{};
        if (fstat(file->fd(), &locked) == 0 && stat(path.c_str(), &current) == 0 && locked.st_dev == current.st_dev &&
            locked.st_ino == current.st_ino) {
            return file;
        }
    }
}

// True when the file's last byte is not a newline: a writer crashed mid-line.
bool ends_in_torn_line(const OpenFile &file) {
    struct stat info{};
    if (fstat(file.fd(), &info) != 0 || info.st_size == 0) return false;
    char last = '\n';
    return pread(file.fd(), &last, 1, info.st_size - 1) == 1 && last != '\n';
}

void write_all(const OpenFile &file, const std::string &text, const std::filesystem::path &path) {
    size_t written = 0;
    while (written < text.size()) {  // one write(2) unless a signal or a full disk cuts it short
        const ssize_t n = write(file.fd(), text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw RuntimeError("cannot write to the tuning database " + quoted(path) + ": " + std::strerror(errno));
        written += static_cast<size_t>(n);
    }
}

void load_file(const std::filesystem::path &path, std::vector<TuningRecord> &records, std::vector<std::string> &warnings) {
    if (std::filesystem::is_directory(path)) throw RuntimeError("cannot read the tuning database " + quoted(path) + ": it is a directory");
    std::ifstream in(path);
    if (!in) throw RuntimeError("cannot read the tuning database " + quoted(path) + ": " + std::strerror(errno));
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        try {
            records.push_back(record_from_json_line(line));
        } catch (const RuntimeError &error) {
            warnings.push_back(path.string() + ":" + std::to_string(number) + ": skipped: " + error.what());
        }
    }
    if (in.bad()) throw RuntimeError("cannot read the tuning database " + quoted(path) + ": " + std::strerror(errno));
}

// What makes two records measurements of the same thing.
using MeasurementKey = std::tuple<std::string, int, std::string, std::string, std::string, std::string, bool>;

MeasurementKey measurement_key(const TuningRecord &record) {
    return {record.machine.class_key(), record.threads, record.target, record.spec_key, record.family, record.config,
            record.confirmed};
}

// Confirmed timings were taken side by side, so they settle the choice among themselves; a
// single timing elsewhere may have caught a quiet moment.
bool better(const TuningRecord &a, const TuningRecord &b) {
    if (a.confirmed != b.confirmed) return a.confirmed;
    return a.ms < b.ms;
}

}  // namespace

void append_record(const std::filesystem::path &path, const TuningRecord &record) {
    const std::string line = record_to_json_line(record) + '\n';
    const auto file = open_locked(path);
    // Close a line torn by a crashed writer, so it stays one bad line and this record stays whole.
    write_all(*file, ends_in_torn_line(*file) ? '\n' + line : line, path);
}

std::vector<TuningRecord> load_records(const std::vector<std::filesystem::path> &paths,
                                       std::vector<std::string> &warnings) {
    std::vector<TuningRecord> records;
    for (const auto &path : paths) load_file(path, records, warnings);
    return records;
}

std::optional<TuningRecord> best_config(const std::vector<TuningRecord> &records, const RecordQuery &query) {
    const TuningRecord *own = nullptr;
    const TuningRecord *other = nullptr;
    for (const auto &record : records) {
        if (record.threads != query.threads || record.target != query.target || record.spec_key != query.spec_key) {
            continue;
        }
        const TuningRecord *&best = record.machine.class_key() == query.machine_class ? own : other;
        if (!best || better(record, *best)) best = &record;
    }
    if (own) return *own;
    if (other && query.allow_other_machines) return *other;
    return std::nullopt;
}

void merge_databases(const std::vector<std::filesystem::path> &inputs, const std::filesystem::path &output,
                     std::vector<std::string> &warnings) {
    // Held until the rename: appends to the output wait, then go to the merged file.
    const auto lock = open_locked(output);
    std::vector<TuningRecord> merged;
    std::map<MeasurementKey, size_t> index;
    for (const auto &record : load_records(inputs, warnings)) {
        const auto [it, inserted] = index.emplace(measurement_key(record), merged.size());
        if (inserted) {
            merged.push_back(record);
        } else if (record.ms < merged[it->second].ms) {
            merged[it->second] = record;
        }
    }
    const std::filesystem::path temporary = output.string() + ".merge." + std::to_string(getpid());
    {
        std::ofstream out(temporary, std::ios::trunc);
        for (const auto &record : merged) out << record_to_json_line(record) << '\n';
        out.flush();
        if (!out) {
            std::filesystem::remove(temporary);
            throw RuntimeError("cannot write the merged tuning database " + quoted(temporary));
        }
    }
    std::error_code error;
    std::filesystem::rename(temporary, output, error);
    if (error) {
        std::filesystem::remove(temporary);
        throw RuntimeError("cannot replace " + quoted(output) + ": " + error.message());
    }
}

std::optional<std::filesystem::path> default_database_path() {
    if (const char *path = std::getenv("CONVGEN_TUNING_DB"); path && *path) return path;
    const auto directory = cache_directory_from_environment();
    if (directory.empty()) return std::nullopt;
    return directory / "tuning.jsonl";
}

}  // namespace convgen::tuning
