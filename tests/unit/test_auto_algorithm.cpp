// Algorithm::Auto: Winograd or direct per call. Without measurements, the rule: Winograd on
// ungrouped 3x3 stride-1 layers of 16 input and 32 output channels or more on maps of 13x13 or
// more, direct
// elsewhere; with the tuning database's measurements of both on this machine, the faster; never
// a Winograd tile past kAutoLargestWinogradTile. Results stay within the algorithm's bound.
#include <unistd.h>

#include <filesystem>

#include "expect_error.h"
#include "test_support.h"
#include "tuning/database.h"
#include "tuning/machine.h"

namespace convgen::testing {
namespace {

namespace fs = std::filesystem;

class AutoAlgorithm : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = fs::temp_directory_path() / ("convgen-auto-" + std::to_string(getpid()) + ".jsonl");
        fs::remove(db_);
        set_tuning_database_path(db_.string());
    }
    void TearDown() override {
        fs::remove(db_);
        set_tuning_database_path(db_.string());  // empty again for the next test in this process
    }

    // A record of `config` measured at `ms` for the layer's problem under `algorithm`.
    void measured(const Conv2dOptions &options, const Shape &input, Algorithm algorithm, const std::string &config,
                  double ms) {
        tuning::TuningRecord r = tuning::record_stamped_now();
        r.machine = tuning::this_machine();
        r.threads = num_threads();
        r.target = Halide::get_jit_target_from_environment().to_string();
        r.spec_key = Conv2d(Conv2dOptions(options).algorithm(algorithm)).spec(input).problem_key();
        r.family = config.substr(0, config.find(' '));
        r.config = config;
        r.ms = ms;
        r.gflops = 1;
        tuning::append_record(db_, r);
        reload_tuning_database();
    }

    fs::path db_;
};

Conv2dOptions layer(int64_t channels) {
    return Conv2dOptions(channels, channels, 3).padding(1).algorithm(Algorithm::Auto);
}

TEST_F(AutoAlgorithm, TheRuleDecidesWithoutMeasurements) {
    const Shape large{1, 64, 28, 28}, small{1, 64, 7, 7};
    Conv2d wide(layer(64));
    const OpSpec spec = wide.spec(large);
    EXPECT_EQ(spec.algorithm, Algorithm::Winograd);
    EXPECT_LE(spec.winograd_tile, kAutoLargestWinogradTile);
    expect_matches_reference(wide, random_tensor(large, 3));
    EXPECT_EQ(Conv2d(layer(64)).spec(small).algorithm, Algorithm::Direct);
    EXPECT_EQ(Conv2d(Conv2dOptions(8, 64, 3).padding(1).algorithm(Algorithm::Auto)).spec({1, 8, 28, 28}).algorithm,
              Algorithm::Direct);
    EXPECT_EQ(Conv2d(Conv2dOptions(64, 16, 3).padding(1).algorithm(Algorithm::Auto)).spec(large).algorithm,
              Algorithm::Direct);
    EXPECT_EQ(Conv2d(Conv2dOptions(16, 32, 3).padding(1).algorithm(Algorithm::Auto)).spec({1, 16, 13, 13}).algorithm,
              Algorithm::Winograd);
    EXPECT_EQ(Conv2d(layer(64).groups(2)).spec(large).algorithm, Algorithm::Direct);
    EXPECT_EQ(Conv2d(layer(64).stride(2)).spec(large).algorithm, Algorithm::Direct);
    EXPECT_EQ(Conv2d(layer(64).schedule("portable")).spec(large).algorithm, Algorithm::Direct);
    // A conv1d has no 13x13 map: the rule keeps it direct.
    Conv1d line(Conv1dOptions(64, 64, 3).padding(1).algorithm(Algorithm::Auto));
    EXPECT_EQ(line.spec({1, 64, 40}).algorithm, Algorithm::Direct);
}

TEST_F(AutoAlgorithm, MeasurementsOfBothDecide) {
    const Shape large{1, 64, 28, 28}, small{1, 64, 7, 7};
    const std::string direct_config = Conv2d(Conv2dOptions(layer(64)).algorithm(Algorithm::Direct).schedule("hand"))
                                          .spec(large).config.text();
    std::string winograd_config = Conv2d(Conv2dOptions(layer(64)).algorithm(Algorithm::Winograd).schedule("hand"))
                                      .spec(large).config.text();
    // Direct measured faster where the rule would take Winograd.
    measured(layer(64), large, Algorithm::Direct, direct_config, 1.0);
    measured(layer(64), large, Algorithm::Winograd, winograd_config, 2.0);
    EXPECT_EQ(Conv2d(layer(64)).spec(large).algorithm, Algorithm::Direct);
    // One measurement alone does not decide: the rule does.
    measured(layer(64), small, Algorithm::Direct, direct_config, 1.0);
    EXPECT_EQ(Conv2d(layer(64)).spec(small).algorithm, Algorithm::Direct);
    // Winograd measured faster where the rule would take direct; its F(6x6) record runs as F(4x4).
    const std::string small_direct = Conv2d(Conv2dOptions(layer(64)).algorithm(Algorithm::Direct).schedule("hand"))
                                         .spec(small).config.text();
    std::string small_winograd = Conv2d(Conv2dOptions(layer(64)).algorithm(Algorithm::Winograd).schedule("hand"))
                                     .spec(small).config.text();
    small_winograd.replace(small_winograd.find("tile=4"), 6, "tile=6");
    measured(layer(64), small, Algorithm::Direct, small_direct, 1.0);
    measured(layer(64), small, Algorithm::Winograd, small_winograd, 0.5);
    Conv2d chosen(layer(64));
    const OpSpec spec = chosen.spec(small);
    EXPECT_EQ(spec.algorithm, Algorithm::Winograd);
    EXPECT_EQ(spec.winograd_tile, kAutoLargestWinogradTile);
    expect_matches_reference(chosen, random_tensor(small, 4));
}

TEST_F(AutoAlgorithm, APinnedConfigsFamilyDecidesWithinTheBound) {
    const Shape input{1, 16, 12, 12};
    const auto pinned = [&](const std::string &config) {
        return Conv2d(layer(16).schedule("hand").schedule_config(config)).spec(input);
    };
    EXPECT_EQ(pinned("winograd vw=8 vectors=2 scalars=4 tile=2").algorithm, Algorithm::Winograd);
    EXPECT_EQ(pinned("channel_tiles vw=8 vectors=2 scalars=6 input_block=0 unroll=1 channel_major=0 tiles_per_task=0 "
                     "stage=0 restride=0")
                  .algorithm,
              Algorithm::Direct);
    expect_error<ValueError>([&] { pinned("winograd vw=8 vectors=2 scalars=4 tile=6"); },
                             "algorithm 'auto' computes with Winograd tiles of at most 4");
}

}  // namespace
}  // namespace convgen::testing
