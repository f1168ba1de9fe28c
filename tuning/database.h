#pragma once
// The tuning database: JSON lines, one measurement per line, in the spirit of TVM's measure
// records (what was measured, with which config, how fast, by which build). Files are only ever
// appended to, by any number of processes; several files (machines, runs) are read and merged.
//
// A config's speed is the minimum ms over its records: each record already is a median of repeats
// taken by the measurer, and noise on a quiet machine only ever adds time, so the fastest run is
// the best estimate of what the config costs (the rule `timeit` follows). On a machine whose
// speed swings for seconds, a single timing may catch a quiet moment, so records timed in the
// tuner's confirmation rounds (side by side with the rules' config) are compared among
// themselves first. Merging keeps the fastest record of each kind, so the best config of a merged
// file is the best config of its inputs.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tuning/machine.h"

namespace convgen::tuning {

struct TuningRecord {
    MachineIdentity machine;
    int threads = 0;
    std::string target;            // Halide target string
    std::string spec_key;          // the op's OpSpec key, without any schedule-chosen fields
    std::string family;            // schedule family, e.g. "channel_tiles"
    std::string config;            // the config's canonical text (opaque here)
    double ms = 0;
    double gflops = 0;
    // Timed in a confirmation round, interleaved with the rules' config and the other finalists
    // (tuning/search.h): such records are compared with each other before any single timing.
    bool confirmed = false;
    std::string date;              // ISO 8601 UTC, e.g. "2026-11-24T17:03:12Z"
    std::string convgen_version;
    std::string halide_version;

    bool operator==(const TuningRecord &) const = default;
};

// A record measured now by this build: date and versions filled in, the rest left to the caller.
TuningRecord record_stamped_now();

// One JSON object, no newline. Field names are stable: format (1), spec_key, family, config,
// threads, target, ms, gflops, [confirmed,] date, convgen_version, halide_version, machine (a
// nested object: vendor, cpu_model, isa_features, l1d_bytes, l2_bytes, l3_bytes, cores). Throws
// convgen::ValueError for a record that could never be loaded back (an empty target, spec_key,
// family or config, threads < 1, ms not a positive number, text that is not UTF-8).
std::string record_to_json_line(const TuningRecord &record);
// Throws convgen::RuntimeError naming what is wrong with the line.
TuningRecord record_from_json_line(const std::string &line);

// Appends one line under an exclusive flock and in one write(2): a crash leaves at most a torn
// last line (skipped on load), concurrent appenders never interleave, and a torn line left by an
// earlier crash is closed with a newline first so the new record stays whole. Creates parent
// directories. Not fsynced: a process crash loses nothing written; a power loss may lose the last
// records, which only costs re-measuring them. Throws convgen::RuntimeError when it cannot write,
// convgen::ValueError for an invalid record (as record_to_json_line).
void append_record(const std::filesystem::path &path, const TuningRecord &record);

// Every valid record of the files, in file order. A line that is not a valid record (a torn write,
// an edit) is skipped with a warning "<file>:<line>: <why>"; blank lines are ignored. A file that
// cannot be opened throws convgen::RuntimeError: callers pass only files they expect to exist.
std::vector<TuningRecord> load_records(const std::vector<std::filesystem::path> &paths,
                                       std::vector<std::string> &warnings);

struct RecordQuery {
    std::string machine_class;  // MachineIdentity::class_key()
    int threads = 0;
    std::string target;
    std::string spec_key;
    // Use records of other machine classes when this one has none (the fastest of them wins).
    bool allow_other_machines = false;
};

// The fastest record for the query, or nullopt when none applies.
std::optional<TuningRecord> best_config(const std::vector<TuningRecord> &records, const RecordQuery &query);

// Writes each distinct (machine class, threads, target, spec_key, family, config) of the inputs
// once, its fastest record, in order of first appearance. The output is replaced atomically
// (temp file + rename), so it may be one of the inputs. Warnings as load_records.
void merge_databases(const std::vector<std::filesystem::path> &inputs, const std::filesystem::path &output,
                     std::vector<std::string> &warnings);

// $CONVGEN_TUNING_DB, else tuning.jsonl in the kernel cache directory (convgen/cache_directory.h);
// nullopt when neither is set.
std::optional<std::filesystem::path> default_database_path();

}  // namespace convgen::tuning
