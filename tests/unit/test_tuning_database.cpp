// The tuning database: records survive a round trip, torn lines and concurrent writers; merges
// drop duplicates; the best record respects machine class and thread count.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <set>

#include <gtest/gtest.h>

#include "expect_error.h"
#include "tuning/database.h"

namespace convgen::tuning {
namespace {

namespace fs = std::filesystem;

MachineIdentity machine_named(const std::string &model) {
    MachineIdentity machine;
    machine.vendor = "GenuineIntel";
    machine.cpu_model = model;
    machine.isa_features = {"avx2", "avx512f", "fma"};
    machine.l1d_bytes = 48 << 10;
    machine.l2_bytes = 2 << 20;
    machine.l3_bytes = 105 << 20;
    machine.cores = 2;
    return machine;
}

TuningRecord record(const MachineIdentity &machine, int threads, const std::string &config, double ms,
                    const std::string &spec_key = "conv2d n1 c64 h56 w56 k64 r3 s3") {
    TuningRecord r = record_stamped_now();
    r.machine = machine;
    r.threads = threads;
    r.target = "x86-64-linux-avx2-avx512-fma";
    r.spec_key = spec_key;
    r.family = "channel_tiles";
    r.config = config;
    r.ms = ms;
    r.gflops = 230.0 / ms;
    return r;
}

std::string read_text(const fs::path &path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void append_text(const fs::path &path, const std::string &text) {
    std::ofstream(path, std::ios::binary | std::ios::app) << text;
}

// Runs `work` in a forked child; the child exits 0 only if it returned without throwing.
pid_t in_child_process(const std::function<void()> &work) {
    const pid_t pid = fork();
    if (pid == 0) {
        try {
            work();
        } catch (...) {
            _exit(1);
        }
        _exit(0);
    }
    return pid;
}

bool exited_cleanly(pid_t pid) {
    int status = 0;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

class TuningDatabase : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("convgen-tuning-test-" + std::to_string(getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    fs::path dir_;
    const MachineIdentity intel_ = machine_named("Intel(R) Xeon(R) Processor family 6 model 207");
    const MachineIdentity amd_ = machine_named("AMD EPYC 9R45 family 26 model 2");
};

TEST_F(TuningDatabase, RecordsRoundTripThroughAFile) {
    const fs::path path = dir_ / "nested" / "tuning.jsonl";  // parent directories are created
    const TuningRecord first = record(intel_, 1, "tile=2x14 block=none unroll=8", 1.25);
    const TuningRecord second = record(amd_, 2, "tile=4x6 \"quoted\" \\ back", 0.5);
    append_record(path, first);
    append_record(path, second);

    std::vector<std::string> warnings;
    const auto loaded = load_records({path}, warnings);
    EXPECT_TRUE(warnings.empty());
    ASSERT_EQ(loaded.size(), 2u);
    EXPECT_EQ(loaded[0], first);
    EXPECT_EQ(loaded[1], second);
    EXPECT_EQ(read_text(path).back(), '\n');
    EXPECT_FALSE(first.date.empty());
    EXPECT_FALSE(first.convgen_version.empty());
    EXPECT_EQ(first.halide_version.rfind("21.", 0), 0u);
}

TEST_F(TuningDatabase, TornLastLineIsSkippedWithAWarningAndClosedByTheNextAppend) {
    const fs::path path = dir_ / "tuning.jsonl";
    append_record(path, record(intel_, 1, "a", 1.0));
    append_record(path, record(intel_, 1, "b", 2.0));
    const std::string whole = record_to_json_line(record(intel_, 1, "c", 3.0));
    append_text(path, whole.substr(0, whole.size() / 2));  // a writer that died mid-line

    std::vector<std::string> warnings;
    EXPECT_EQ(load_records({path}, warnings).size(), 2u);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find(path.string() + ":3: skipped"), std::string::npos) << warnings[0];

    append_record(path, record(intel_, 1, "d", 4.0));
    warnings.clear();
    const auto loaded = load_records({path}, warnings);
    ASSERT_EQ(loaded.size(), 3u);
    EXPECT_EQ(loaded[2].config, "d");
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find(":3: skipped"), std::string::npos) << warnings[0];
}

TEST_F(TuningDatabase, InvalidLinesAreSkippedWithTheirReason) {
    const fs::path path = dir_ / "tuning.jsonl";
    append_record(path, record(intel_, 1, "a", 1.0));
    std::string line = record_to_json_line(record(intel_, 1, "b", 2.0));
    append_text(path, "\n[1, 2]\n");
    append_text(path, std::string(line).replace(line.find("\"format\":1"), 10, "\"format\":9") + '\n');
    append_text(path, std::string(line).replace(line.find("\"ms\":2.0"), 8, "\"ms\":-2.0") + '\n');
    append_text(path, std::string(line).replace(line.find("\"threads\":1"), 11, "\"thread\":1") + '\n');

    std::vector<std::string> warnings;
    EXPECT_EQ(load_records({path}, warnings).size(), 1u);
    ASSERT_EQ(warnings.size(), 4u);  // the blank line 2 is no record and no warning
    EXPECT_NE(warnings[0].find(":3: skipped: not a JSON object"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[1].find(":4: skipped: record format 9 is not 1"), std::string::npos) << warnings[1];
    EXPECT_NE(warnings[2].find(":5: skipped: ms is"), std::string::npos) << warnings[2];
    EXPECT_NE(warnings[3].find(":6: skipped: field 'threads' is missing"), std::string::npos) << warnings[3];
}

TEST_F(TuningDatabase, UnreadableFilesAndInvalidRecordsAreRefused) {
    std::vector<std::string> warnings;
    testing::expect_error<RuntimeError>([&] { load_records({dir_ / "missing.jsonl"}, warnings); },
                                        "cannot read the tuning database");
    fs::create_directories(dir_);
    testing::expect_error<RuntimeError>([&] { load_records({dir_}, warnings); }, "it is a directory");
    testing::expect_error<ValueError>([&] { append_record(dir_ / "t.jsonl", record(intel_, 1, "a", 0.0)); },
                                      "ms is");
    testing::expect_error<ValueError>([&] { append_record(dir_ / "t.jsonl", record(intel_, 0, "a", 1.0)); },
                                      "threads is 0");
    testing::expect_error<ValueError>([&] { append_record(dir_ / "t.jsonl", record(intel_, 1, "", 1.0)); },
                                      "the config is empty");
    EXPECT_FALSE(fs::exists(dir_ / "t.jsonl"));
}

TEST_F(TuningDatabase, MergeKeepsTheFastestOfEachDistinctMeasurement) {
    const fs::path a = dir_ / "a.jsonl", b = dir_ / "b.jsonl", merged = dir_ / "merged.jsonl";
    append_record(a, record(intel_, 1, "x", 2.0));
    append_record(a, record(intel_, 1, "y", 3.0));
    append_record(a, record(intel_, 1, "x", 2.5));
    append_record(b, record(intel_, 1, "x", 1.5));
    append_record(b, record(intel_, 2, "x", 1.0));  // other thread count: distinct
    append_record(b, record(amd_, 1, "x", 1.0));    // other machine class: distinct

    std::vector<std::string> warnings;
    merge_databases({a, b}, merged, warnings);
    EXPECT_TRUE(warnings.empty());
    const auto loaded = load_records({merged}, warnings);
    ASSERT_EQ(loaded.size(), 4u);
    EXPECT_EQ(loaded[0].config, "x");
    EXPECT_EQ(loaded[0].ms, 1.5);
    EXPECT_EQ(loaded[1].config, "y");
    EXPECT_EQ(loaded[2].threads, 2);
    EXPECT_EQ(loaded[3].machine, amd_);

    merge_databases({a, b}, a, warnings);  // in place: the output may be an input
    EXPECT_EQ(load_records({a}, warnings).size(), 4u);
    EXPECT_TRUE(warnings.empty());
    EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 3);  // no temp file left
}

TEST_F(TuningDatabase, BestConfigIsTheFastestForThisMachineClassAndThreadCount) {
    const std::vector<TuningRecord> records = {
        record(intel_, 1, "slow", 3.0), record(intel_, 1, "fast", 2.0), record(intel_, 1, "slow", 1.9),
        record(intel_, 2, "two_threads", 1.0), record(amd_, 1, "amd", 0.5),
        record(intel_, 1, "other_op", 0.1, "conv2d n1 c3 h224 w224 k64 r7 s7"),
    };
    RecordQuery query{intel_.class_key(), 1, "x86-64-linux-avx2-avx512-fma", "conv2d n1 c64 h56 w56 k64 r3 s3"};
    ASSERT_TRUE(best_config(records, query));
    EXPECT_EQ(best_config(records, query)->config, "slow");  // its fastest run, 1.9 ms, beats "fast"
    EXPECT_EQ(best_config(records, query)->ms, 1.9);

    query.threads = 2;
    EXPECT_EQ(best_config(records, query)->config, "two_threads");
    query.threads = 4;
    EXPECT_FALSE(best_config(records, query));
    query.threads = 1;
    query.target = "x86-64-linux-avx2-fma";
    EXPECT_FALSE(best_config(records, query));
}

// Confirmed records were timed side by side with the rules' config: they settle the choice among
// themselves, before any single timing that may have caught a quiet moment. The flag survives a
// file and a merge, where a confirmed and an unconfirmed timing of one config are both kept.
TEST_F(TuningDatabase, ConfirmedRecordsAreComparedAmongThemselvesFirst) {
    TuningRecord rules = record(intel_, 1, "rules", 2.0), lucky = record(intel_, 1, "lucky", 1.0);
    TuningRecord rules_again = record(intel_, 1, "rules", 1.6), lucky_again = record(intel_, 1, "lucky", 1.8);
    rules_again.confirmed = lucky_again.confirmed = true;
    const fs::path path = dir_ / "confirmed.jsonl", merged = dir_ / "merged.jsonl";
    for (const TuningRecord &r : {rules, lucky, rules_again, lucky_again}) append_record(path, r);
    std::vector<std::string> merge_warnings;
    merge_databases({path}, merged, merge_warnings);
    for (const fs::path &file : {path, merged}) {
        SCOPED_TRACE(file.string());
        std::vector<std::string> warnings;
        const std::vector<TuningRecord> records = load_records({file}, warnings);
        EXPECT_TRUE(warnings.empty());
        EXPECT_EQ(records.size(), 4u);
        const RecordQuery query{intel_.class_key(), 1, "x86-64-linux-avx2-avx512-fma", "conv2d n1 c64 h56 w56 k64 r3 s3"};
        ASSERT_TRUE(best_config(records, query));
        EXPECT_EQ(best_config(records, query)->config, "rules");
        EXPECT_TRUE(best_config(records, query)->confirmed);
    }
    EXPECT_EQ(record_to_json_line(rules).find("confirmed"), std::string::npos);  // older readers see no change
}

TEST_F(TuningDatabase, OtherMachineClassesAreUsedOnlyWhenAllowed) {
    const std::vector<TuningRecord> records = {record(intel_, 1, "intel", 2.0), record(amd_, 1, "amd", 0.5)};
    MachineIdentity bigger_l2 = intel_;
    bigger_l2.l2_bytes *= 2;
    ASSERT_NE(bigger_l2.class_key(), intel_.class_key());

    RecordQuery query{bigger_l2.class_key(), 1, "x86-64-linux-avx2-avx512-fma", "conv2d n1 c64 h56 w56 k64 r3 s3"};
    EXPECT_FALSE(best_config(records, query));
    query.allow_other_machines = true;
    EXPECT_EQ(best_config(records, query)->config, "amd");  // the fastest elsewhere

    query.machine_class = intel_.class_key();  // this class's own record wins over a faster foreign one
    EXPECT_EQ(best_config(records, query)->config, "intel");
}

TEST_F(TuningDatabase, MachineClassIgnoresFeatureOrder) {
    MachineIdentity shuffled = intel_;
    shuffled.isa_features = {"fma", "avx512f", "avx2"};
    EXPECT_EQ(shuffled.class_key(), intel_.class_key());
}

TEST_F(TuningDatabase, ConcurrentAppendersFromTwoProcessesWriteWholeLines) {
    const fs::path path = dir_ / "tuning.jsonl";
    // Lines far above PIPE_BUF, so only the lock keeps them from interleaving.
    const std::string padding(8192, 'p');
    constexpr int per_process = 500;
    int start[2];
    ASSERT_EQ(pipe(start), 0);
    auto appender = [&](const std::string &name) {
        return in_child_process([&, name] {
            close(start[1]);
            char byte;
            if (read(start[0], &byte, 1) != 0) return;  // both start when the parent closes the pipe
            for (int i = 0; i < per_process; ++i) {
                append_record(path, record(intel_, 1, name + std::to_string(i) + padding, 1.0 + i));
            }
        });
    };
    const pid_t first = appender("first"), second = appender("second");
    close(start[0]);
    close(start[1]);
    EXPECT_TRUE(exited_cleanly(first));
    EXPECT_TRUE(exited_cleanly(second));

    std::vector<std::string> warnings;
    const auto loaded = load_records({path}, warnings);
    EXPECT_TRUE(warnings.empty()) << warnings.front();
    std::set<std::string> configs;
    for (const auto &r : loaded) configs.insert(r.config);
    EXPECT_EQ(loaded.size(), 2u * per_process);
    EXPECT_EQ(configs.size(), 2u * per_process);
}

TEST_F(TuningDatabase, AppendsDuringAnInPlaceMergeAreKept) {
    const fs::path path = dir_ / "tuning.jsonl";
    append_record(path, record(intel_, 1, "existing", 1.0));
    constexpr int appended = 200;
    const pid_t child = in_child_process([&] {
        for (int i = 0; i < appended; ++i) append_record(path, record(intel_, 1, "new" + std::to_string(i), 1.0));
    });
    std::vector<std::string> warnings;
    for (int i = 0; i < 50; ++i) merge_databases({path}, path, warnings);
    EXPECT_TRUE(exited_cleanly(child));

    EXPECT_EQ(load_records({path}, warnings).size(), appended + 1u);
    EXPECT_TRUE(warnings.empty());
}

TEST_F(TuningDatabase, DefaultPathFollowsTheEnvironment) {
    auto restore = [](const char *name, const char *old) { old ? setenv(name, old, 1) : unsetenv(name); };
    const char *old_db = std::getenv("CONVGEN_TUNING_DB");
    const char *old_cache = std::getenv("CONVGEN_CACHE_DIR");
    const std::string saved_db = old_db ? old_db : "", saved_cache = old_cache ? old_cache : "";

    setenv("CONVGEN_TUNING_DB", "/somewhere/db.jsonl", 1);
    EXPECT_EQ(default_database_path(), fs::path("/somewhere/db.jsonl"));
    unsetenv("CONVGEN_TUNING_DB");
    setenv("CONVGEN_CACHE_DIR", "/cache", 1);
    EXPECT_EQ(default_database_path(), fs::path("/cache/tuning.jsonl"));

    restore("CONVGEN_TUNING_DB", old_db ? saved_db.c_str() : nullptr);
    restore("CONVGEN_CACHE_DIR", old_cache ? saved_cache.c_str() : nullptr);
}

TEST(ThisMachine, IdentifiesTheCpuItRunsOn) {
    const MachineIdentity machine = this_machine();
    EXPECT_FALSE(machine.vendor.empty());
    EXPECT_NE(machine.vendor, "unknown");
    EXPECT_NE(machine.cpu_model, "unknown");
    EXPECT_FALSE(machine.isa_features.empty());
    EXPECT_TRUE(std::is_sorted(machine.isa_features.begin(), machine.isa_features.end()));
    EXPECT_GT(machine.l1d_bytes, 0);
    EXPECT_GT(machine.l2_bytes, 0);
    EXPECT_GE(machine.cores, 1);
    EXPECT_EQ(this_machine().class_key(), machine.class_key());
}

}  // namespace
}  // namespace convgen::tuning
