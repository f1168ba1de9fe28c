// The `tuned` schedule's lookup in the tuning database: this machine class's records, and other
// machine classes' only when asked for.
#include <unistd.h>

#include <filesystem>

#include "test_support.h"
#include "tuning/database.h"
#include "tuning/machine.h"

namespace convgen::testing {
namespace {

namespace fs = std::filesystem;

TEST(TunedConfigs, OtherMachinesRecordsServeOnlyWhenAskedFor) {
    const fs::path db = fs::temp_directory_path() / ("convgen-tuned-" + std::to_string(getpid()) + ".jsonl");
    fs::remove(db);
    set_tuning_database_path(db.string());

    const Conv2dOptions options = Conv2dOptions(32, 32, 3).padding(1).layout(Layout::NHWC);
    const Shape input{1, 32, 14, 14};
    const std::string rules = Conv2d(Conv2dOptions(options).schedule("hand")).spec(input).config.text();
    ASSERT_NE(rules.find("unroll=8"), std::string::npos);
    std::string elsewhere = rules;
    elsewhere.replace(elsewhere.find("unroll=8"), 8, "unroll=2");

    tuning::TuningRecord r = tuning::record_stamped_now();
    r.machine = tuning::this_machine();
    r.machine.cpu_model += " (another)";
    r.threads = num_threads();
    r.target = Halide::get_jit_target_from_environment().to_string();
    r.spec_key = Conv2d(options).spec(input).problem_key();
    r.family = "channel_tiles";
    r.config = elsewhere;
    r.ms = 1;
    r.gflops = 1;
    tuning::append_record(db, r);
    reload_tuning_database();

    EXPECT_EQ(Conv2d(options).spec(input).config.text(), rules);
    use_other_machines_tuning(true);
    EXPECT_EQ(Conv2d(options).spec(input).config.text(), elsewhere);
    use_other_machines_tuning(false);
    EXPECT_EQ(Conv2d(options).spec(input).config.text(), rules);

    fs::remove(db);
    set_tuning_database_path(db.string());
}

}  // namespace
}  // namespace convgen::testing
