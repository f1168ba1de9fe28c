#include "convgen/schedule_config.h"

#include <charconv>
#include <map>
#include <sstream>
#include <vector>

#include "convgen/errors.h"

namespace convgen {
namespace {

// One field of the text form: its name, the families that print it, and where it lives.
struct Field {
    const char *name;
    std::vector<ScheduleFamily> families;
    int ScheduleConfig::*number = nullptr;
    bool ScheduleConfig::*flag = nullptr;
};

const std::vector<Field> &fields() {
    using F = ScheduleFamily;
    static const std::vector<Field> all{
        {"vw", {F::ChannelTiles, F::Planar, F::PlanarDepthwise, F::Winograd}, &ScheduleConfig::vector_width},
        {"vectors", {F::ChannelTiles, F::Planar, F::Winograd}, &ScheduleConfig::vectors},
        {"scalars", {F::ChannelTiles, F::Planar, F::Winograd}, &ScheduleConfig::scalars},
        {"input_block", {F::ChannelTiles}, &ScheduleConfig::input_block},
        {"unroll", {F::ChannelTiles, F::Winograd}, &ScheduleConfig::reduction_unroll},
        {"channel_major", {F::ChannelTiles}, nullptr, &ScheduleConfig::channel_major},
        {"tiles_per_task", {F::ChannelTiles, F::Winograd}, &ScheduleConfig::tiles_per_task},
        {"rows_per_task", {F::ChannelTiles, F::Winograd}, &ScheduleConfig::rows_per_task},
        {"tile_order", {F::ChannelTiles}, &ScheduleConfig::tile_order},
        {"stage", {F::ChannelTiles, F::Planar}, nullptr, &ScheduleConfig::stage_input},
        {"stage_per_task", {F::ChannelTiles}, nullptr, &ScheduleConfig::stage_per_task},
        {"restride", {F::ChannelTiles}, nullptr, &ScheduleConfig::restride},
        {"group_input", {F::ChannelTiles}, nullptr, &ScheduleConfig::group_input},
        {"row_blocks", {F::ChannelTiles}, &ScheduleConfig::row_blocks},
        {"channels_per_task", {F::PlanarDepthwise}, &ScheduleConfig::channels_per_task},
        {"tile", {F::Winograd}, &ScheduleConfig::winograd_tile},
    };
    return all;
}

bool has(const Field &field, ScheduleFamily family) {
    for (ScheduleFamily f : field.families) {
        if (f == family) return true;
    }
    return false;
}

const std::map<std::string_view, ScheduleFamily> &families_by_name() {
    static const std::map<std::string_view, ScheduleFamily> names{
        {"none", ScheduleFamily::None},
        {"channel_tiles", ScheduleFamily::ChannelTiles},
        {"planar", ScheduleFamily::Planar},
        {"planar_depthwise", ScheduleFamily::PlanarDepthwise},
        {"winograd", ScheduleFamily::Winograd},
    };
    return names;
}

}  // namespace

std::string_view to_string(ScheduleFamily family) {
    for (const auto &[name, f] : families_by_name()) {
        if (f == family) return name;
    }
    return "?";
}

std::string ScheduleConfig::text() const {
    std::ostringstream os;
    os << to_string(family);
    for (const Field &field : fields()) {
        if (!has(field, family)) continue;
        os << ' ' << field.name << '=' << (field.number ? this->*field.number : int(this->*field.flag));
    }
    return os.str();
}

ScheduleConfig parse_schedule_config(std::string_view text) {
    std::istringstream in{std::string(text)};
    std::string word;
    in >> word;
    const auto family = families_by_name().find(word);
    if (family == families_by_name().end()) {
        throw ValueError("schedule config '" + std::string(text) + "': unknown family '" + word +
                         "', expected one of {none, channel_tiles, planar, planar_depthwise, winograd}");
    }
    ScheduleConfig config;
    config.family = family->second;
    while (in >> word) {
        const size_t eq = word.find('=');
        const std::string name = word.substr(0, eq);
        const Field *field = nullptr;
        for (const Field &f : fields()) {
            if (name == f.name && has(f, config.family)) field = &f;
        }
        if (!field || eq == std::string::npos) {
            throw ValueError("schedule config '" + std::string(text) + "': '" + word + "' is not a " +
                             std::string(to_string(config.family)) + " field");
        }
        int value = 0;
        const char *begin = word.data() + eq + 1, *end = word.data() + word.size();
        const auto [last, error] = std::from_chars(begin, end, value);
        if (error != std::errc() || last != end || value < 0 || (field->flag && value > 1)) {
            throw ValueError("schedule config '" + std::string(text) + "': bad value in '" + word + "'");
        }
        if (field->number) {
            config.*field->number = value;
        } else {
            config.*field->flag = value != 0;
        }
    }
    return config;
}

}  // namespace convgen
