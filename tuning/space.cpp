#include "tuning/space.h"

#include <algorithm>

#include "convgen/errors.h"
#include "convgen/winograd.h"
#include "generator/groups.h"

namespace convgen::tuning {
namespace {

template <typename T>
std::function<int(const ScheduleConfig &)> getter(T ScheduleConfig::*field) {
    return [field](const ScheduleConfig &c) { return int(c.*field); };
}

template <typename T>
std::function<void(ScheduleConfig &, int)> setter(T ScheduleConfig::*field) {
    return [field](ScheduleConfig &c, int v) { c.*field = T(v); };
}

std::vector<int> range(int first, int last) {
    std::vector<int> values;
    for (int v = first; v <= last; ++v) values.push_back(v);
    return values;
}

std::vector<int> powers_of_two(int first, int64_t last) {
    std::vector<int> values;
    for (int64_t v = first; v <= last; v *= 2) values.push_back(int(v));
    return values;
}

// Broadcast counts of a register tile along an output extent: accepts() drops the tiles whose
// accumulators and loads overflow the register file (a 1 x 30 tile fills AVX-512's 32).
std::vector<int> broadcasts(int64_t extent) { return range(1, int(std::min<int64_t>(extent, 30))); }

std::vector<int> divisors(int64_t n, int64_t at_most) {
    std::vector<int> values;
    for (int64_t d = 1; d <= std::min(n, at_most); ++d) {
        if (n % d == 0) values.push_back(int(d));
    }
    return values;
}

}  // namespace

ScheduleSpace::ScheduleSpace(const OpSpec &spec, const schedules::Schedule &schedule, const Halide::Target &target,
                             int threads)
    : spec_(spec), schedule_(&schedule), target_(target) {
    if (!schedule.default_config) return;
    start_ = schedule.default_config(spec, target, threads);
    for (ScheduleFamily family :
         {ScheduleFamily::ChannelTiles, ScheduleFamily::Planar, ScheduleFamily::PlanarDepthwise, ScheduleFamily::Winograd}) {
        // A family is open to the search when some config of it is accepted: its knobs' first values
        // with the rules' tile are a cheap probe.
        ScheduleConfig probe = start_;
        probe.family = family;
        for (const Knob &knob : knobs(family)) {
            if (family != start_.family) knob.set(probe, knob.values.front());
        }
        probe.vector_width = target.natural_vector_size<float>();
        probe.vectors = 1;
        probe.scalars = 1;
        if (family == start_.family || accepts(probe)) families_.push_back(family);
    }
}

std::vector<ScheduleSpace::Knob> ScheduleSpace::knobs(ScheduleFamily family) const {
    const int widest = target_.natural_vector_size<float>();
    const int64_t in_per_group = spec_.channels / spec_.groups;
    std::vector<Knob> k;
    const auto add = [&](const char *name, auto field, std::vector<int> values) {
        if (!values.empty()) k.push_back({name, getter(field), setter(field), std::move(values)});
    };
    switch (family) {
    case ScheduleFamily::ChannelTiles: {
        add("vw", &ScheduleConfig::vector_width, powers_of_two(4, widest));
        add("vectors", &ScheduleConfig::vectors, range(1, 4));
        add("scalars", &ScheduleConfig::scalars, broadcasts(spec_.out.w));
        std::vector<int> blocks{0};
        for (int b : powers_of_two(8, 256)) {
            if (b < in_per_group) blocks.push_back(b);
        }
        add("input_block", &ScheduleConfig::input_block, blocks);
        add("unroll", &ScheduleConfig::reduction_unroll, divisors(in_per_group, 8));
        add("channel_major", &ScheduleConfig::channel_major, {0, 1});
        // 0: one block of every tile, which a grouped conv's tiles that shift within a group need.
        std::vector<int> tiles_per_task = divisors(std::max<int64_t>(1, spec_.out_channels / widest), 64);
        if (spec_.groups > 1) tiles_per_task.insert(tiles_per_task.begin(), 0);
        add("tiles_per_task", &ScheduleConfig::tiles_per_task, tiles_per_task);
        add("rows_per_task", &ScheduleConfig::rows_per_task, powers_of_two(1, std::max<int64_t>(1, spec_.out.h)));
        add("tile_order", &ScheduleConfig::tile_order, {kRowsChannelsColumns, kRowsColumnsChannels, kChannelsRowsColumns});
        add("stage", &ScheduleConfig::stage_input, {0, 1});
        add("stage_per_task", &ScheduleConfig::stage_per_task, {0, 1});
        add("restride", &ScheduleConfig::restride, {0, 1});
        if (generator::has_group_input(spec_)) add("group_input", &ScheduleConfig::group_input, {0, 1});
        add("row_blocks", &ScheduleConfig::row_blocks, range(1, int(std::clamp<int64_t>(spec_.out.h, 1, 4))));
        break;
    }
    case ScheduleFamily::Planar:
        add("vw", &ScheduleConfig::vector_width, powers_of_two(4, widest));
        add("vectors", &ScheduleConfig::vectors, range(1, 4));
        add("scalars", &ScheduleConfig::scalars, broadcasts(spec_.out_channels));
        add("stage", &ScheduleConfig::stage_input, {0, 1});
        break;
    case ScheduleFamily::PlanarDepthwise:
        add("vw", &ScheduleConfig::vector_width, powers_of_two(4, widest));
        add("channels_per_task", &ScheduleConfig::channels_per_task, powers_of_two(1, spec_.channels));
        break;
    case ScheduleFamily::Winograd:
        add("vw", &ScheduleConfig::vector_width, powers_of_two(4, widest));
        add("vectors", &ScheduleConfig::vectors, range(1, 4));
        add("scalars", &ScheduleConfig::scalars, broadcasts(spec_.out.w * spec_.out.h));
        add("tile", &ScheduleConfig::winograd_tile, {kWinogradTiles[0], kWinogradTiles[1], kWinogradTiles[2]});
        add("unroll", &ScheduleConfig::reduction_unroll, divisors(in_per_group, 8));
        add("tiles_per_task", &ScheduleConfig::tiles_per_task, range(0, int(std::min<int64_t>(8, spec_.out_channels / widest))));
        // Rows of tiles: there are out.h / m of them; check_config drops what a tile size lacks.
        add("rows_per_task", &ScheduleConfig::rows_per_task, powers_of_two(1, std::max<int64_t>(1, (spec_.out.h + 1) / 2)));
        break;
    case ScheduleFamily::None: break;
    }
    return k;
}

bool ScheduleSpace::accepts(const ScheduleConfig &config) const {
    // Accumulators and the vectors loaded beside them must fit the register file: past it the
    // tile spills, which no measurement needs to confirm.
    const bool wide = target_.has_feature(Halide::Target::AVX512) || target_.has_feature(Halide::Target::AVX512_Skylake) ||
                      (target_.arch == Halide::Target::ARM && target_.bits == 64);
    if (config.vectors * config.scalars + config.vectors + 1 > (wide ? 32 : 16)) return false;
    try {
        schedule_->check_config(spec_, target_, config);
        return true;
    } catch (const ValueError &) {
        return false;
    }
}

std::vector<ScheduleConfig> ScheduleSpace::seeds() const {
    std::vector<ScheduleConfig> found;
    if (start_.family == ScheduleFamily::Winograd) {
        // Tasks of one or two rows of tiles, each task's transformed input and products in L2, the
        // weights streamed again per task: the rules' larger tasks (fitted on an Intel Xeon) ran
        // 1.3-1.5x slower than one-row tasks on VGG-16's 56x56 layers on AMD EPYC (Zen 4 class),
        // several knob steps away from the rules.
        for (int rows : {1, 2}) {
            ScheduleConfig c = start_;
            c.rows_per_task = rows;
            if (!(c == start_) && accepts(c)) found.push_back(c);
        }
        return found;
    }
    if (start_.family != ScheduleFamily::ChannelTiles) return found;
    const int64_t in_per_group = spec_.channels / spec_.groups;
    for (auto [vectors, scalars] : {std::pair{2, 14}, std::pair{4, 6}, std::pair{3, 8}, std::pair{2, 12}}) {
        for (int unroll : {8, 4, 2, 1}) {
            if (in_per_group % unroll != 0) continue;
            ScheduleConfig c = start_;
            c.input_block = 0;
            c.reduction_unroll = unroll;
            c.vectors = vectors;
            c.scalars = int(std::min<int64_t>(scalars, spec_.out.w));
            if (accepts(c) && std::find(found.begin(), found.end(), c) == found.end()) found.push_back(c);
            break;
        }
    }
    return found;
}

std::vector<ScheduleConfig> ScheduleSpace::sweep(const std::vector<std::string> &knob_names) const {
    const std::vector<Knob> all = knobs(start_.family);
    std::vector<const Knob *> chosen;
    for (const std::string &name : knob_names) {
        const auto it = std::find_if(all.begin(), all.end(), [&](const Knob &k) { return k.name == name; });
        if (it == all.end()) {
            throw ValueError("no knob '" + name + "' in the " + std::string(to_string(start_.family)) + " family");
        }
        chosen.push_back(&*it);
    }
    std::vector<ScheduleConfig> found{start_};
    for (const Knob *knob : chosen) {
        std::vector<ScheduleConfig> next;
        for (const ScheduleConfig &c : found) {
            for (int v : knob->values) {
                ScheduleConfig d = c;
                knob->set(d, v);
                next.push_back(d);
            }
        }
        found = std::move(next);
    }
    std::erase_if(found, [&](const ScheduleConfig &c) { return !accepts(c); });
    return found;
}

std::vector<ScheduleConfig> ScheduleSpace::neighbours(const ScheduleConfig &config) const {
    std::vector<ScheduleConfig> found;
    const auto consider = [&](const ScheduleConfig &c) {
        if (!(c == config) && accepts(c) && std::find(found.begin(), found.end(), c) == found.end()) found.push_back(c);
    };
    for (const Knob &knob : knobs(config.family)) {
        // The values on either side of the config's own. The rules may take one between a knob's
        // listed values (rows_per_task 5 among powers of two): its neighbours are those around it,
        // or the climb never moved that knob (VGG-16's Winograd tasks stayed at the rules' 5 rows).
        const int value = knob.get(config);
        const auto above = std::upper_bound(knob.values.begin(), knob.values.end(), value);
        auto below = std::lower_bound(knob.values.begin(), knob.values.end(), value);
        for (auto next : {below == knob.values.begin() ? knob.values.end() : --below, above}) {
            if (next == knob.values.end()) continue;
            ScheduleConfig c = config;
            knob.set(c, *next);
            consider(c);
        }
    }
    // The register tile's shape at about the same accumulator count: trade vectors for scalars.
    for (int vectors = 1; vectors <= 4; ++vectors) {
        if (vectors == config.vectors || config.family == ScheduleFamily::PlanarDepthwise) continue;
        ScheduleConfig c = config;
        c.vectors = vectors;
        c.scalars = std::max(1, config.vectors * config.scalars / vectors);
        consider(c);
    }
    return found;
}

ScheduleConfig ScheduleSpace::mutate(const ScheduleConfig &config, int changes, std::mt19937_64 &rng) const {
    ScheduleConfig c = config;
    if (families_.size() > 1 && std::uniform_int_distribution<int>(0, 5)(rng) == 0) {
        c.family = families_[std::uniform_int_distribution<size_t>(0, families_.size() - 1)(rng)];
    }
    const std::vector<Knob> all = knobs(c.family);
    if (all.empty()) return c;
    for (int i = 0; i < changes; ++i) {
        const Knob &knob = all[std::uniform_int_distribution<size_t>(0, all.size() - 1)(rng)];
        knob.set(c, knob.values[std::uniform_int_distribution<size_t>(0, knob.values.size() - 1)(rng)]);
    }
    return c;
}

}  // namespace convgen::tuning
