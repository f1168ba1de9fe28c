// The search on a synthetic cost landscape (no timing, so the outcome is exact): it starts from
// the rules' config, finds the landscape's optimum within its trial budget, never measures a
// config twice, takes earlier measurements as given, and hands every trial to its callback; with
// confirmation rounds, it judges its finalists by medians of repeated timings.
#include <cmath>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "convgen/convgen.h"
#include "schedules/registry.h"
#include "tuning/search.h"

namespace convgen::testing {
namespace {

// Cost falls towards a tile of 2x12 without input blocking, unrolled by 4, staged.
double synthetic_ms(const ScheduleConfig &c) {
    if (c.family != ScheduleFamily::ChannelTiles) return 50.0;
    return 1.0 + 0.3 * std::abs(c.vectors - 2) + 0.05 * std::abs(c.scalars - 12) + (c.input_block ? 0.7 : 0.0) +
           0.1 * std::abs(std::log2(double(c.reduction_unroll)) - 2) + (c.stage_input ? 0.0 : 0.2) +
           (c.channel_major ? 0.05 : 0.0) + 0.01 * c.tiles_per_task + (c.restride ? 0.02 : 0.0) +
           (c.vector_width == 16 ? 0.0 : 0.5);
}

class SyntheticMeasurer : public tuning::Measurer {
public:
    struct Candidate : Prepared {
        ScheduleConfig config;
    };
    std::shared_ptr<Prepared> prepare(const ScheduleConfig &config) override {
        ++prepared;
        auto c = std::make_shared<Candidate>();
        c->config = config;
        return c;
    }
    double time(Prepared &p, double) override {
        const ScheduleConfig &config = static_cast<Candidate &>(p).config;
        EXPECT_TRUE(timed.insert(config.text()).second) << "timed twice: " << config.text();
        return synthetic_ms(config);
    }
    int prepared = 0;
    std::set<std::string> timed;
};

tuning::ScheduleSpace space_for_test() {
    const Halide::Target target = Halide::Target("x86-64-linux-avx512");
    OpSpec spec = Conv2d(Conv2dOptions(64, 64, 3).padding(1).schedule("hand")).spec({1, 64, 28, 28});
    schedules::configure(spec, schedules::find_schedule("hand"), target, 1);
    return tuning::ScheduleSpace(spec, schedules::find_schedule("hand"), target, 1);
}

TEST(TuningSearch, FindsTheOptimumOfASmoothLandscapeFromTheRules) {
    const tuning::ScheduleSpace space = space_for_test();
    SyntheticMeasurer measurer;
    int callbacks = 0;
    tuning::SearchOptions options;
    options.trials = 80;
    options.seconds = 600;
    const tuning::SearchResult result =
        tuning::search(space, measurer, options, {}, [&](const tuning::Trial &, const tuning::SearchResult &) { ++callbacks; });
    EXPECT_EQ(result.start.config, space.start());
    EXPECT_LE(int(result.trials.size()), options.trials);
    EXPECT_EQ(callbacks, int(result.trials.size()));
    // The optimum: 2x12, no blocking, unroll 4, staged, row-major, one tile per task, no restride.
    EXPECT_NEAR(result.best.ms, 1.01, 1e-9) << result.best.config.text();
    EXPECT_LT(result.best.ms, synthetic_ms(space.start()));
}

TEST(TuningSearch, EarlierMeasurementsAreNotRepeated) {
    const tuning::ScheduleSpace space = space_for_test();
    SyntheticMeasurer first;
    tuning::SearchOptions options;
    options.trials = 10;
    const tuning::SearchResult earlier = tuning::search(space, first, options, {}, nullptr);
    SyntheticMeasurer second;
    options.trials = 20;
    const tuning::SearchResult resumed = tuning::search(space, second, options, earlier.trials, nullptr);
    for (const tuning::Trial &t : earlier.trials) EXPECT_FALSE(second.timed.count(t.config.text())) << t.config.text();
    EXPECT_EQ(resumed.trials.size(), 20u);
    EXPECT_LE(resumed.best.ms, earlier.best.ms);
}

// A machine whose speed swings: each config's first timing is off by a factor from 0.5 to 1.5
// (the same factor for the same config), later timings are exact. Confirmation rounds time the
// rules' config and the finalists again, so the best is judged by medians, which are exact here.
class SwingingMeasurer : public tuning::Measurer {
public:
    struct Candidate : Prepared {
        ScheduleConfig config;
    };
    std::shared_ptr<Prepared> prepare(const ScheduleConfig &config) override {
        auto c = std::make_shared<Candidate>();
        c->config = config;
        return c;
    }
    double time(Prepared &p, double) override {
        const ScheduleConfig &config = static_cast<Candidate &>(p).config;
        const std::string text = config.text();
        const double swing = 0.5 + double(std::hash<std::string>{}(text) % 1001) / 1000.0;
        return timed.insert(text).second ? synthetic_ms(config) * swing : synthetic_ms(config);
    }
    std::set<std::string> timed;
};

TEST(TuningSearch, ConfirmationJudgesTheFinalistsByMediansOfInterleavedTimings) {
    const tuning::ScheduleSpace space = space_for_test();
    SwingingMeasurer measurer;
    tuning::SearchOptions options;
    options.trials = 24;
    options.confirm_rounds = 2;
    std::map<std::string, int> timings;
    const tuning::SearchResult result = tuning::search(
        space, measurer, options, {}, [&](const tuning::Trial &t, const tuning::SearchResult &) { ++timings[t.config.text()]; });
    EXPECT_EQ(timings[space.start().text()], 1 + options.confirm_rounds);
    EXPECT_DOUBLE_EQ(result.start.ms, synthetic_ms(space.start()));
    EXPECT_DOUBLE_EQ(result.best.ms, synthetic_ms(result.best.config)) << result.best.config.text();
    EXPECT_LE(result.best.ms, result.start.ms);
    EXPECT_EQ(timings[result.best.config.text()], 1 + options.confirm_rounds);
}

TEST(TuningSearch, EveryCandidateIsAcceptedByTheSchedule) {
    const tuning::ScheduleSpace space = space_for_test();
    SyntheticMeasurer measurer;
    tuning::SearchOptions options;
    options.trials = 40;
    for (const tuning::Trial &t : tuning::search(space, measurer, options, {}, nullptr).trials) {
        EXPECT_TRUE(space.accepts(t.config)) << t.config.text();
    }
}

// A knob whose value the rules took between its listed ones still moves: to the listed values on
// either side. VGG-16's 56x56 Winograd layer: the rules' tasks of 7 rows of tiles, listed rows
// 1, 2, 4, 8.
TEST(TuningSearch, AKnobBetweenItsListedValuesMovesToThoseAroundIt) {
    const Halide::Target target = Halide::Target("x86-64-linux-avx512");
    OpSpec spec = Conv2d(Conv2dOptions(128, 256, 3).padding(1).algorithm(Algorithm::Winograd).schedule("hand"))
                      .spec({1, 128, 56, 56});
    schedules::configure(spec, schedules::find_schedule("hand"), target, 2);
    const tuning::ScheduleSpace space(spec, schedules::find_schedule("hand"), target, 2);
    ASSERT_EQ(space.start().family, ScheduleFamily::Winograd);
    ASSERT_EQ(space.start().rows_per_task, 7);
    std::set<int> rows;
    for (const ScheduleConfig &c : space.neighbours(space.start())) {
        ScheduleConfig only_rows = space.start();
        only_rows.rows_per_task = c.rows_per_task;
        if (c == only_rows) rows.insert(c.rows_per_task);
    }
    EXPECT_EQ(rows, (std::set<int>{4, 8}));
    // And the search starts beside tasks of one and two rows of tiles.
    std::set<int> seeded;
    for (const ScheduleConfig &c : space.seeds()) seeded.insert(c.rows_per_task);
    EXPECT_EQ(seeded, (std::set<int>{1, 2}));
}

}  // namespace
}  // namespace convgen::testing
